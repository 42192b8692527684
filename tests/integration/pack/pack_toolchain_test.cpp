// dkmpack toolchains for real: `go >= 1.24` picks Debian's golang-1.24-go in
// /usr/lib/go-1.24/bin when PATH's go is Debian 12's 1.19.
#include "pack/plan.hpp"
#include "pack_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("requires go >= 1.24 builds with /usr/lib/go-1.24/bin/go when PATH's go is older", "[pack][real]") {
  require_env_or_skip("DKM_REAL_GO124", "needs Debian's golang-1.24-go in /usr/lib/go-1.24 (cmake/install-deps.sh --packaging)");
  PackFixture f;
  f.edit_recipe("hello-go", "go = \">= 1.19\"", "go = \">= 1.24\"");
  f.dkmpack_ok({"--only", "hello-go"});
  pack::ComponentPlan plan = pack::read_plan(f.layout().plan_file("hello-go"));
  REQUIRE(plan.tool("go") != nullptr);
  CHECK(plan.tool("go")->path == fs::canonical("/usr/lib/go-1.24/bin/go"));
  CHECK(f.run_installed("hello-go", "bin/hello-go") == "hello from go 1.0 (first)\n");
  RunResult version = run({"/usr/lib/go-1.24/bin/go", "version", (f.layout().install_dir("hello-go") / "bin" / "hello-go").string()});
  CHECK_THAT(version.output, Catch::Contains(": go1.24"));
}

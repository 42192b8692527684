// A recipe with two builds, the shape of Grafana's: a go build (upstream's `make gen-go`
// first, cgo, the oss tag, ldflags with ${version}, ${commit} and ${commit_time}) then an
// npm build whose output lands in install/public, and a file staged from the source tree.
// Built with Debian's Go, npm and gcc (tests/fixtures/hello-web).
#include "pack/plan.hpp"
#include "pack_fixture.hpp"

#include <nlohmann/json.hpp>

using namespace dkm;
using namespace dkm::test;

namespace {

const std::vector<std::string> kWeb = {"hello-web"};

/// What hello-web's build.js saw: {"node": "v20.…", "source_date_epoch": "…"}.
nlohmann::json web_build_info(const PackFixture& f) {
  return nlohmann::json::parse(read_file(f.layout().install_dir("hello-web") / "public" / "build.json"));
}

}  // namespace

TEST_CASE("a recipe with a go build (generate, cgo, tags, ${commit_time}) and an npm build builds, stages and reruns nothing",
          "[pack]") {
  PackFixture f;
  f.set_bundle(kWeb);
  RunResult r = f.dkmpack_ok();
  CHECK_THAT(r.output, Catch::Contains("[5/5] hello-web: install"));
  const std::string commit = PackFixture::head(f.repos() / "hello-web");
  const std::string stamp = std::to_string(kWebCommitTime);

  // The go build: generated code (make gen-go), cgo, the oss tag, the recipe's ldflags.
  CHECK(f.run_installed("hello-web", "bin/hello-web") == "hello-web 2.0 commit=" + commit + " buildstamp=" + stamp +
                                                            " edition=oss cgo=42 generated=by make gen-go\n");
  std::string configure_log = read_file(f.layout().step_log("hello-web", pack::Step::configure));
  CHECK_THAT(configure_log, Catch::Contains("CGO_ENABLED=1 ") && Catch::Contains(" gen-go"));
  // The npm build ran after it, with SOURCE_DATE_EPOCH set to the commit's time; its
  // output went to install/public (destination), beside bin/.
  CHECK(web_build_info(f)["source_date_epoch"] == stamp);
  CHECK(fs::is_regular_file(f.layout().install_dir("hello-web") / "public" / "index.html"));
  CHECK(read_file(f.layout().commit_time_file("hello-web")) == stamp + "\n");
  std::string build_log = read_file(f.layout().step_log("hello-web", pack::Step::build));
  size_t go_build = build_log.find("bin/go build"), npm_build = build_log.find(" run build");
  CHECK(go_build != std::string::npos);
  CHECK(npm_build != std::string::npos);
  CHECK(go_build < npm_build);  // the builds run in the recipe's order

  // Staged: the binary, public/ as static/, and conf/defaults.ini straight from the source tree.
  fs::path stage = f.layout().root() / "bundle" / "fixtures-0.0.1";
  CHECK(fs::is_regular_file(stage / "bin" / "hello-web"));
  CHECK(fs::is_regular_file(stage / "static" / "index.html"));
  CHECK(read_file(stage / "lib" / "hello-web" / "conf" / "defaults.ini") ==
        read_file(fixtures_dir() / "hello-web" / "conf" / "defaults.ini"));
  auto manifest = nlohmann::json::parse(read_file(stage / "manifest.json"));
  CHECK(manifest.dump().find("lib/hello-web/conf/defaults.ini") != std::string::npos);

  // Nothing changed: no step runs.
  StampTimes before = f.stamps(kWeb);
  RunResult again = f.dkmpack_ok();
  CHECK(PackFixture::ran_between(before, f.stamps(kWeb)).empty());
  CHECK_THAT(again.output, Catch::Contains("nothing to do"));
}

TEST_CASE("a change to one build of a recipe re-runs only the steps that read it", "[pack]") {
  PackFixture f;
  f.set_bundle(kWeb);
  f.dkmpack_ok({"--only", "hello-web"});
  const std::string commit = PackFixture::head(f.repos() / "hello-web");

  // The second build's destination is an install field: install only.
  StampTimes before = f.stamps(kWeb);
  f.edit_recipe("hello-web", "destination = \"public\"", "destination = \"web\"");
  f.dkmpack_ok({"--only", "hello-web"});
  CHECK(PackFixture::ran_between(before, f.stamps(kWeb)) == PackFixture::steps_of("hello-web", {"install"}));
  CHECK(fs::is_regular_file(f.layout().install_dir("hello-web") / "web" / "index.html"));
  CHECK_FALSE(fs::exists(f.layout().install_dir("hello-web") / "public"));
  CHECK(fs::is_regular_file(f.layout().install_dir("hello-web") / "bin" / "hello-web"));

  // The first build's tags are a build field: build and install, and the binary changes.
  before = f.stamps(kWeb);
  f.edit_recipe("hello-web", "tags     = [\"oss\"]", "tags     = []");
  f.dkmpack_ok({"--only", "hello-web"});
  CHECK(PackFixture::ran_between(before, f.stamps(kWeb)) == PackFixture::steps_of("hello-web", {"build", "install"}));
  CHECK_THAT(f.run_installed("hello-web", "bin/hello-web"), Catch::Contains("edition=other"));

  // generate is a configure field: configure, build and install.
  before = f.stamps(kWeb);
  f.edit_recipe("hello-web", "generate = [\"gen-go\"]", "generate = []");
  f.dkmpack_ok({"--only", "hello-web"});
  CHECK(PackFixture::ran_between(before, f.stamps(kWeb)) ==
        PackFixture::steps_of("hello-web", {"configure", "build", "install"}));
  CHECK_THAT(read_file(f.layout().step_log("hello-web", pack::Step::configure)), !Catch::Contains("gen-go"));
  // (The source tree keeps the file the first configure generated: a configure step
  // reruns in the same tree, only a new revision or patch makes a fresh one.)
  CHECK(f.run_installed("hello-web", "bin/hello-web") ==
        "hello-web 2.0 commit=" + commit + " buildstamp=" + std::to_string(kWebCommitTime) +
            " edition=other cgo=42 generated=by make gen-go\n");
}

TEST_CASE("go >= 1.25 and node >= 22 with yarn build from the packaging toolchains", "[pack][real]") {
  require_env_or_skip("DKM_REAL_TOOLCHAINS",
                      "needs the packaging toolchains: Go >= 1.25 in /usr/lib/go-X.Y (golang-1.26-go) and Node.js >= 22 "
                      "with yarn in /opt/dkm-toolchains (cmake/install-deps.sh --packaging)");
  PackFixture f;
  f.set_bundle(kWeb);
  f.edit_recipe("hello-web", "go   = \">= 1.19\"", "go   = \">= 1.25\"");
  f.edit_recipe("hello-web", "node = \">= 18\"", "node = \">= 22\"\nyarn = \">= 1.22\"");
  f.edit_recipe("hello-web", "script      = \"build\"", "script      = \"build\"\nyarn        = true");
  f.dkmpack_ok({"--only", "hello-web"});
  pack::ComponentPlan plan = pack::read_plan(f.layout().plan_file("hello-web"));
  REQUIRE(plan.tool("go") != nullptr);
  CHECK(plan.tool("go")->path.string().rfind("/usr/lib/go-", 0) == 0);
  CHECK_FALSE(plan.tool("go")->dir.empty());  // put first on the steps' PATH: `make gen-go` runs it
  for (const char* tool : {"node", "yarn"}) {
    INFO(tool);
    REQUIRE(plan.tool(tool) != nullptr);
    CHECK(plan.tool(tool)->dir.string().rfind("/opt/dkm-toolchains/node-", 0) == 0);
  }
  // yarn's `node` (#!/usr/bin/env node) is the chosen one, not the system's.
  std::string node = web_build_info(f)["node"];
  CHECK(node == "v" + pack::version_string(plan.tool("node")->version));
  CHECK(pack::compare_versions(plan.tool("node")->version, pack::Version{22}) >= 0);
  CHECK_THAT(read_file(f.layout().step_log("hello-web", pack::Step::configure)), Catch::Contains("install --frozen-lockfile"));
  RunResult version = run({plan.tool("go")->path.string(), "version", (f.layout().install_dir("hello-web") / "bin" / "hello-web").string()});
  CHECK_THAT(version.output, Catch::Contains(": go" + pack::version_string(plan.tool("go")->version)));
  CHECK_THAT(f.run_installed("hello-web", "bin/hello-web"), Catch::Contains("edition=oss cgo=42 generated=by make gen-go"));
}

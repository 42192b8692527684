// core/install_layout: install paths, the environment file, finding DIR.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include <dkm/core/install_layout.hpp>

using namespace dkm;

TEST_CASE("an environment file round-trips values with spaces and quotes", "[layout]") {
  std::map<std::string, std::string> vars{{"DKM_HOME", "/srv/my monitor"}, {"DKM_PORT", "27600"}, {"Q", "it's"}};
  CHECK(parse_env_file(render_env_file(vars), "env") == vars);
}

TEST_CASE("a malformed environment file names its line", "[layout]") {
  REQUIRE_THROWS_WITH(parse_env_file("A=1\n\nnot a pair\n", "DIR/bin/env"), "DIR/bin/env:3: expected KEY=VALUE");
}

TEST_CASE("find_install uses the bin/ directory it was invoked through", "[layout]") {
  TempDir dir;
  InstallLayout layout(dir.path() / "inst/");
  CHECK(layout.root() == dir.path() / "inst");
  fs::create_directories(layout.bin());
  REQUIRE_THROWS_AS(find_install("", (layout.bin() / "dkm").string()), UsageError);
  write_file_atomic(layout.env_file(), render_env_file({{"DKM_HOME", layout.root().string()}}));
  ::unsetenv("DKM_HOME");
  CHECK(find_install("", (layout.bin() / "dkm").string()).root() == layout.root());
  CHECK(find_install("/elsewhere", (layout.bin() / "dkm").string()).root() == "/elsewhere");
}

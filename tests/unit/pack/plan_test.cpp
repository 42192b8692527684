// dkmpack plans: which step keys change with which input, plan.json round trip, build.ninja.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>

#include "pack/builders.hpp"
#include "pack/ninja_file.hpp"
#include "pack/plan.hpp"

using namespace dkm;
using namespace dkm::pack;

namespace {

const BuildLayout kLayout("/b");

Recipe autotools_recipe() {
  return parse_recipe(R"(name = "hello"
version = "1.0"
license = "MIT"
license_files = ["COPYING"]
[source]
git = "https://example.org/hello.git"
tag = "v1.0"
[env]
CFLAGS = "-O2"
[build]
system = "autotools"
configure_args = ["--with-greeting=hello", "--version=${version}"]
make_args = ["V=1"]
)",
                      "/r/hello.toml");
}

ResolvedSource resolved(const std::string& revision = std::string(40, 'a')) {
  ResolvedSource s;
  s.location = "https://example.org/hello.git";
  s.revision = revision;
  return s;
}

std::vector<Tool> tools(Version make = {4, 3}) { return {{"make", "/usr/bin/make", make}}; }

/// The steps whose keys differ between two plans.
std::vector<std::string> changed(const ComponentPlan& a, const ComponentPlan& b) {
  std::vector<std::string> out;
  for (Step step : kSteps)
    if (a.key(step) != b.key(step)) out.emplace_back(to_string(step));
  return out;
}

using Steps = std::vector<std::string>;

}  // namespace

TEST_CASE("step keys change with their inputs and only from the step that reads them", "[pack][plan]") {
  Recipe recipe = autotools_recipe();
  ComponentPlan base = make_plan(recipe, resolved(), tools(), kLayout);
  CHECK(make_plan(recipe, resolved(), tools(), kLayout).keys == base.keys);  // deterministic

  CHECK(changed(base, make_plan(recipe, resolved(std::string(40, 'b')), tools(), kLayout)) ==
        Steps{"fetch", "patch", "configure", "build", "install"});

  Recipe flag = recipe;
  flag.builds[0].configure_args[0] = "--with-greeting=bonjour";
  CHECK(changed(base, make_plan(flag, resolved(), tools(), kLayout)) == Steps{"configure", "build", "install"});

  Recipe env = recipe;
  env.env["CFLAGS"] = "-O0";
  CHECK(changed(base, make_plan(env, resolved(), tools(), kLayout)) == Steps{"configure", "build", "install"});

  CHECK(changed(base, make_plan(recipe, resolved(), tools({4, 4}), kLayout)) == Steps{"configure", "build", "install"});

  Recipe make_args = recipe;
  make_args.builds[0].make_args = {"V=0"};
  CHECK(changed(base, make_plan(make_args, resolved(), tools(), kLayout)) == Steps{"build", "install"});

  Recipe license = recipe;
  license.license = "Apache-2.0";
  CHECK(changed(base, make_plan(license, resolved(), tools(), kLayout)) == Steps{"install"});

  // ${version} is filled in configure_args, so a version change reaches configure.
  Recipe version = recipe;
  version.version = "1.1";
  CHECK(changed(base, make_plan(version, resolved(), tools(), kLayout)) == Steps{"configure", "build", "install"});

  // Where the bytes came from is not an input, nor a description.
  ResolvedSource mirror = resolved();
  mirror.location = "/mirror/hello.git";
  mirror.from_mirror = true;
  Recipe described = recipe;
  described.description = "something else";
  CHECK(make_plan(described, mirror, tools(), kLayout).keys == base.keys);
}

TEST_CASE("a patch's content is an input of the patch step", "[pack][plan]") {
  TempDir dir;
  write_file_atomic(dir.path() / "fix.patch", "--- a/x\n+++ b/x\n");
  Recipe recipe = autotools_recipe();
  recipe.source.patches = {dir.path() / "fix.patch"};
  ComponentPlan before = make_plan(recipe, resolved(), tools(), kLayout);
  write_file_atomic(dir.path() / "fix.patch", "--- a/x\n+++ b/x\n@@ changed @@\n");
  CHECK(changed(before, make_plan(recipe, resolved(), tools(), kLayout)) == Steps{"patch", "configure", "build", "install"});
}

TEST_CASE("placeholders are filled in the plan and ${jobs} is left for the step", "[pack][plan]") {
  Recipe recipe = parse_recipe(R"(name = "c"
version = "2.0"
license = "MIT"
[source]
path = "."
[build]
system = "command"
build = [["make", "-j${jobs}", "DEST=${install_dir}", "V=${version}", "C=${commit}", "$${HOME}"]]
)",
                               "/r/c.toml");
  ComponentPlan plan = make_plan(recipe, resolved("f00d"), {}, kLayout);
  CHECK(plan.recipe.builds[0].build_commands[0] ==
        std::vector<std::string>{"make", "-j${jobs}", "DEST=/b/c/install", "V=2.0", "C=f00d", "${HOME}"});
}

TEST_CASE("plan.json reads back what was written", "[pack][plan]") {
  Recipe recipe = autotools_recipe();
  ComponentPlan plan = make_plan(recipe, resolved(), tools(), kLayout);
  plan.source.override = true;
  ComponentPlan back = plan_from_json(nlohmann::json::parse(plan_to_json(plan).dump()));
  CHECK(plan_to_json(back) == plan_to_json(plan));
  CHECK(back.keys == plan.keys);
  CHECK(back.recipe.builds[0].configure_args == plan.recipe.builds[0].configure_args);
  CHECK(back.tool("make")->version == Version{4, 3});
  REQUIRE_THROWS_WITH(plan_from_json(nlohmann::json::object()), Catch::StartsWith("malformed plan"));
}

TEST_CASE("the step environment puts the chosen toolchain first and caches in the build directory", "[pack][plan]") {
  Recipe recipe = autotools_recipe();
  recipe.env["GOFLAGS"] = "-trimpath";
  ComponentPlan plan = make_plan(recipe, resolved(),
                                 {{"make", "/usr/bin/make", {4, 3}, ""},  // PATH finds it: not put first
                                  {"go", "/usr/lib/go-1.24/bin/go", {1, 24}, "/usr/lib/go-1.24/bin"},
                                  {"node", "/opt/dkm-toolchains/node-24.11.0/lib/node", {24, 11}, "/opt/dkm-toolchains/node-24.11.0/bin"},
                                  {"yarn", "/opt/dkm-toolchains/node-24.11.0/lib/yarn.js", {1, 22}, "/opt/dkm-toolchains/node-24.11.0/bin"}},
                                 kLayout);
  auto env = step_environment(plan, kLayout, "/usr/bin:/bin");
  CHECK(env.at("PATH") == "/usr/lib/go-1.24/bin:/opt/dkm-toolchains/node-24.11.0/bin:/usr/bin:/bin");
  CHECK(env.at("GOCACHE") == "/b/cache/go/build");
  CHECK(env.at("GOPATH") == "/b/cache/go/path");
  CHECK(env.at("GOTOOLCHAIN") == "local");
  CHECK(env.at("GOFLAGS") == "-trimpath -modcacherw");
  CHECK(env.at("npm_config_cache") == "/b/cache/npm");
  CHECK(env.at("CFLAGS") == "-O2");
}

TEST_CASE("build.ninja chains each component's steps on their keys", "[pack][ninja]") {
  std::string text = ninja_file_text({"a", "b"});
  CHECK_THAT(text, Catch::Contains("command = ./.dkmpack step --build-dir . $name $step"));
  CHECK_THAT(text, Catch::Contains("description = $name: $step"));
  CHECK_THAT(text, Catch::Contains("build a/stamps/fetch: step a/keys/fetch.key\n"));
  CHECK_THAT(text, Catch::Contains("build a/stamps/patch a/src: step a/keys/patch.key | a/stamps/fetch\n"));
  CHECK_THAT(text, Catch::Contains("build b/stamps/install b/install: step b/keys/install.key | b/stamps/build\n"));
  CHECK_THAT(text, Catch::Contains("default a/stamps/install b/stamps/install\n"));
  // Components do not depend on each other: ninja runs them in parallel.
  CHECK_THAT(text, !Catch::Contains("| a/stamps/install"));
}

namespace {

Recipe two_builds(const std::string& go_extra = "", const std::string& npm_extra = "") {
  return parse_recipe("name = \"web\"\nversion = \"2.0\"\nlicense = \"MIT\"\n[source]\ngit = \"https://example.org/web.git\"\n"
                      "tag = \"v2.0\"\n[[build]]\nsystem = \"go\"\ngenerate = [\"gen-go\"]\ncgo = true\ntags = [\"oss\"]\n"
                      "ldflags = \"-X main.v=${version} -X main.c=${commit} -X main.t=${commit_time}\"\n" + go_extra +
                          "[[build]]\nsystem = \"npm\"\nyarn = true\noutput = \"public\"\ndestination = \"public\"\n" + npm_extra,
                      "/r/web.toml");
}

std::vector<Tool> web_tools() {
  return {{"go", "/usr/lib/go-1.26/bin/go", {1, 26}, "/usr/lib/go-1.26/bin"},
          {"make", "/usr/bin/make", {4, 3}, ""},
          {"node", "/opt/dkm-toolchains/node-24.11.0/bin/node", {24, 11, 0}, "/opt/dkm-toolchains/node-24.11.0/bin"},
          {"yarn", "/opt/dkm-toolchains/node-24.11.0/bin/yarn", {1, 22, 22}, "/opt/dkm-toolchains/node-24.11.0/bin"}};
}

}  // namespace

TEST_CASE("each build's fields reach the steps that read them", "[pack][plan]") {
  ComponentPlan base = make_plan(two_builds(), resolved(), web_tools(), kLayout);
  CHECK(make_plan(two_builds(), resolved(), web_tools(), kLayout).keys == base.keys);

  Recipe generate = two_builds();
  generate.builds[0].generate = {"gen-go", "gen-themes"};
  CHECK(changed(base, make_plan(generate, resolved(), web_tools(), kLayout)) == Steps{"configure", "build", "install"});

  Recipe tags = two_builds();
  tags.builds[0].tags = {};
  CHECK(changed(base, make_plan(tags, resolved(), web_tools(), kLayout)) == Steps{"build", "install"});

  Recipe script = two_builds();
  script.builds[1].script = "build:prod";
  CHECK(changed(base, make_plan(script, resolved(), web_tools(), kLayout)) == Steps{"build", "install"});

  Recipe destination = two_builds();
  destination.builds[1].destination = "static";
  CHECK(changed(base, make_plan(destination, resolved(), web_tools(), kLayout)) == Steps{"install"});

  // The builds' order is an input: the same builds swapped are another recipe.
  Recipe swapped = two_builds();
  std::swap(swapped.builds[0], swapped.builds[1]);
  CHECK(changed(base, make_plan(swapped, resolved(), web_tools(), kLayout)) == Steps{"configure", "build", "install"});

  // A stage rule is read by assembly only.
  Recipe staged = two_builds();
  staged.stage.push_back({"conf/defaults.ini", "lib/web/conf/", StageTreeKind::source, 30});
  CHECK(make_plan(staged, resolved(), web_tools(), kLayout).keys == base.keys);
}

TEST_CASE("${commit_time} is left for the step and plan.json keeps every build", "[pack][plan]") {
  ComponentPlan plan = make_plan(two_builds(), resolved("f00d"), web_tools(), kLayout);
  CHECK(plan.recipe.builds[0].ldflags == "-X main.v=2.0 -X main.c=f00d -X main.t=${commit_time}");
  ComponentPlan back = plan_from_json(nlohmann::json::parse(plan_to_json(plan).dump()));
  CHECK(plan_to_json(back) == plan_to_json(plan));
  REQUIRE(back.recipe.builds.size() == 2);
  CHECK(back.recipe.builds[0].generate == std::vector<std::string>{"gen-go"});
  CHECK(back.recipe.builds[1].destination == "public");
  CHECK(back.tool("node")->dir == "/opt/dkm-toolchains/node-24.11.0/bin");
}

TEST_CASE("the builders run each build's actions in order, generate first, ${commit_time} filled", "[pack][builders]") {
  ComponentPlan plan = make_plan(two_builds(), resolved("f00d"), web_tools(), kLayout);
  auto configure = builder_actions(plan, Step::configure, kLayout, 2, {{"commit_time", "1614834367"}});
  REQUIRE(configure.size() == 2);
  CHECK(configure[0].argv == std::vector<std::string>{"/usr/bin/make", "gen-go"});
  CHECK(configure[0].cwd == "/b/web/src");
  CHECK(configure[0].env.at("CGO_ENABLED") == "1");
  CHECK(configure[1].argv[0] == "/opt/dkm-toolchains/node-24.11.0/bin/yarn");
  CHECK(configure[1].argv[1] == "install");

  auto build = builder_actions(plan, Step::build, kLayout, 2, {{"commit_time", "1614834367"}});
  REQUIRE(build.size() == 3);  // mkdir out/, go build, yarn run build
  CHECK(build[1].argv == std::vector<std::string>{"/usr/lib/go-1.26/bin/go", "build", "-buildvcs=false", "-tags=oss",
                                                  "-ldflags=-X main.v=2.0 -X main.c=f00d -X main.t=1614834367",
                                                  "-o", "/b/web/out/web", "."});
  CHECK(build[1].env.at("CGO_ENABLED") == "1");
  CHECK(build[2].argv == std::vector<std::string>{"/opt/dkm-toolchains/node-24.11.0/bin/yarn", "run", "build"});

  auto install = builder_actions(plan, Step::install, kLayout, 2);
  REQUIRE(install.size() == 2);
  CHECK_THAT(install[0].display(), Catch::Contains("/b/web/install/bin/web"));
  CHECK_THAT(install[1].display(), Catch::Contains("/b/web/src/public/ to /b/web/install/public/"));
  CHECK(builder_actions(plan, Step::patch, kLayout, 2).empty());
}

// dkmpack plans: which step keys change with which input, plan.json round trip, build.ninja.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/ninja_file.hpp>
#include <dkm/pack/plan.hpp>

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

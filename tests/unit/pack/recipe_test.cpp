// dkmpack recipes: parsing, validation with FILE:LINE messages, placeholders, bundle.toml.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/recipe.hpp>

#include "pack/version.hpp"

using namespace dkm;
using namespace dkm::pack;

namespace {

const fs::path kFile = "/r/hello.toml";

std::string recipe_text(const std::string& source, const std::string& build, const std::string& extra = "") {
  return "name = \"hello\"\nversion = \"1.0\"\nlicense = \"MIT\"\n" + extra + "\n[source]\n" + source + "\n[build]\n" + build + "\n";
}

/// The message of the UsageError that parsing `text` throws.
std::string parse_error(const std::string& text, const fs::path& file = kFile) {
  try {
    parse_recipe(text, file);
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("no error for:\n" << text);
  return {};
}

}  // namespace

TEST_CASE("a git recipe with a pinned tag, requirements, env and stage rules parses", "[pack][recipe]") {
  std::string text = R"(name = "hello"
version = "1.2"
description = "demo"
license = "MIT"
license_files = ["LICENSE"]

[source]
git = "https://example.org/hello.git"
tag = "v1.2"
commit = "9A857E8F00000000000000000000000000000000"

[requires]
go = ">= 1.19"

[env]
GOFLAGS = "-trimpath"

[build]
system = "go"
package = "./cmd/hello"
ldflags = "-X main.version=${version}"
tags = ["netgo"]

[[stage]]
from = "bin/hello"
to = "bin/"
)";
  Recipe r = parse_recipe(text, kFile);
  CHECK(r.name == "hello");
  CHECK(r.version == "1.2");
  CHECK(r.license_files == std::vector<std::string>{"LICENSE"});
  CHECK(r.source.type == SourceType::git);
  CHECK(r.source.tag == "v1.2");
  CHECK(r.source.commit == "9a857e8f00000000000000000000000000000000");
  CHECK(r.source.ref_description() == "tag v1.2 (pinned 9a857e8f0000)");
  REQUIRE(r.requirements.size() == 1);
  CHECK(r.requirements[0].text() == "go >= 1.19");
  CHECK(r.requirements[0].line == 13);
  CHECK(r.env.at("GOFLAGS") == "-trimpath");
  CHECK(r.builds[0].system == BuildSystem::go);
  CHECK(r.builds[0].package == "./cmd/hello");
  CHECK(r.builds[0].output == "hello");  // defaults to the name
  CHECK_FALSE(r.builds[0].cgo);
  CHECK(r.builds[0].tags == std::vector<std::string>{"netgo"});
  REQUIRE(r.stage.size() == 1);
  CHECK(r.stage[0].from == "bin/hello");
  CHECK(r.stage[0].line == 24);
}

TEST_CASE("archive, path, npm, autotools and command recipes parse", "[pack][recipe]") {
  Recipe a = parse_recipe(recipe_text("archive = \"https://x.org/dl/hello-1.0.tar.gz?raw=1\"\nsha256 = \"" +
                                          std::string(64, 'a') + "\"\nstrip_components = 0",
                                      "system = \"npm\"\noutput = \"dist\""),
                          kFile);
  CHECK(a.source.type == SourceType::archive);
  CHECK(a.source.archive_file_name() == "hello-1.0.tar.gz");
  CHECK(a.source.strip_components == 0);
  CHECK(a.builds[0].script == "build");
  CHECK(a.builds[0].output == "dist");

  Recipe p = parse_recipe(recipe_text("path = \"../fixtures/hello\"",
                                      "system = \"autotools\"\nconfigure_args = [\"--with-x=${name}\"]"),
                          kFile);
  CHECK(p.source.type == SourceType::path);
  CHECK(p.source.path == fs::path("/fixtures/hello"));
  CHECK(p.builds[0].prefix == "/usr");
  CHECK(p.builds[0].configure_args == std::vector<std::string>{"--with-x=${name}"});

  Recipe c = parse_recipe(recipe_text("git = \"/srv/hello.git\"\nbranch = \"main\"",
                                      "system = \"command\"\nbuild = [[\"make\", \"-j${jobs}\"]]\n"
                                      "install = [[\"make\", \"install\", \"DESTDIR=${install_dir}\"]]"),
                          kFile);
  CHECK(c.builds[0].build_commands == std::vector<std::vector<std::string>>{{"make", "-j${jobs}"}});
  CHECK(c.builds[0].install_commands.size() == 1);
  CHECK(c.builds[0].configure_commands.empty());
}

TEST_CASE("malformed TOML is an error naming the file and the line", "[pack][recipe]") {
  std::string msg = parse_error("name = \"hello\"\nversion = 1.0.0\n");
  CHECK_THAT(msg, Catch::StartsWith("/r/hello.toml:2: malformed TOML"));
}

TEST_CASE("unknown keys, wrong types and missing keys name file, line and key", "[pack][recipe]") {
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\ncgo = \"yes\"")),
             Catch::StartsWith("/r/hello.toml:9: key 'build.cgo': expected a boolean"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\nflavour = 1")),
             Catch::StartsWith("/r/hello.toml:9: key 'build.flavour': unknown key"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"", "colour = \"red\"")),
             Catch::StartsWith("/r/hello.toml:4: key 'colour': unknown key"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\nconfigure_args = []")),
             Catch::Contains("key 'build.configure_args': belongs to system 'autotools', not 'go'"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"cmake\"")),
             Catch::Contains("key 'build.system': unknown build system 'cmake'"));
  CHECK_THAT(parse_error("name = \"hello\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n[build]\nsystem = \"go\"\n"),
             Catch::Contains("key 'version': missing"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"command\"\nbuild = [\"make\"]")),
             Catch::StartsWith("/r/hello.toml:9: key 'build.build': expected an array of commands"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"", "[requires]\ngo = \"1.24\"")),
             Catch::StartsWith("/r/hello.toml:5: key 'requires.go': expected OPERATOR VERSION"));
}

TEST_CASE("source tables are checked: one kind, mandatory sha256, pins only on tags", "[pack][recipe]") {
  CHECK_THAT(parse_error(recipe_text("git = \"u\"\npath = \".\"", "system = \"go\"")),
             Catch::Contains("key 'source': needs exactly one of git, archive or path (found 2)"));
  CHECK_THAT(parse_error(recipe_text("archive = \"https://x/a.tar.gz\"", "system = \"go\"")),
             Catch::Contains("key 'source.sha256': missing (mandatory with archive)"));
  CHECK_THAT(parse_error(recipe_text("archive = \"https://x/a.tar.gz\"\nsha256 = \"abc\"", "system = \"go\"")),
             Catch::Contains("key 'source.sha256': expected 64 hexadecimal digits"));
  CHECK_THAT(parse_error(recipe_text("git = \"u\"\nbranch = \"main\"\ncommit = \"" + std::string(40, 'a') + "\"",
                                     "system = \"go\"")),
             Catch::Contains("a branch cannot be pinned"));
  CHECK_THAT(parse_error(recipe_text("git = \"u\"", "system = \"go\"")),
             Catch::Contains("a git source needs tag, branch or commit"));
  CHECK_THAT(parse_error(recipe_text("git = \"u\"\ntag = \"v1\"\nsha256 = \"" + std::string(64, 'a') + "\"",
                                     "system = \"go\"")),
             Catch::Contains("key 'source.sha256': belongs to an archive source"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"\npatches = [\"missing.patch\"]", "system = \"go\"")),
             Catch::Contains("key 'source.patches': no such patch file: /r/missing.patch"));
}

TEST_CASE("the name must be valid and equal the file's stem", "[pack][recipe]") {
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\""), "/r/other.toml"),
             Catch::Contains("key 'name': 'hello' must equal the file's name ('other')"));
  std::string cache = "name = \"cache\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n[build]\nsystem = \"go\"\n";
  CHECK_THAT(parse_error(cache, "/r/cache.toml"),
             Catch::Contains("key 'name': 'cache' is the name of one of dkmpack's own entries in the build directory"));
  CHECK(valid_component_name("go-carbon"));
  CHECK(valid_component_name("build.ninja2"));
  CHECK_FALSE(valid_component_name("Go"));
  CHECK_FALSE(valid_component_name("a/b"));
  CHECK_FALSE(valid_component_name(".lock"));
  CHECK_FALSE(valid_component_name(std::string(65, 'a')));
  for (std::string_view own : pack::BuildLayout::own_entries()) {
    INFO(own);
    CHECK_FALSE(valid_component_name(own));
    CHECK_THAT(component_name_problem(own), Catch::Contains("dkmpack's own entries"));
  }
  CHECK_THAT(component_name_problem("Go"), Catch::Contains("'Go' is not a valid name"));
}

TEST_CASE("unknown placeholders are rejected and expand fills known ones", "[pack][recipe]") {
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\nldflags = \"-X v=${vesion}\"")),
             Catch::Contains("key 'build.ldflags': unknown placeholder ${vesion}"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"", "[env]\nX = \"${name\"")),
             Catch::Contains("key 'env.X': unterminated '${'"));
  CHECK(expand("-X main.v=${version} $$HOME ${jobs}", {{"version", "1.0"}}) == "-X main.v=1.0 $HOME ${jobs}");
}

TEST_CASE("bundle.toml parses and a recipe set follows its component order", "[pack][recipe]") {
  TempDir dir;
  write_file_atomic(dir.path() / "bundle.toml",
                    "name = \"dkumonitor\"\nversion = \"0.1.0\"\ncomponents = [\"zeta\", \"alpha\"]\n"
                    "[health]\nallow = [\"libm.so.6\"]\n");
  for (const std::string name : {"zeta", "alpha", "unlisted"})
    write_file_atomic(dir.path() / (name + ".toml"),
                      "name = \"" + name + "\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n"
                      "[build]\nsystem = \"command\"\nbuild = [[\"true\"]]\n");
  RecipeSet set = load_recipe_set(dir.path());
  REQUIRE(set.bundle);
  CHECK(set.bundle->health_allow == std::vector<std::string>{"libm.so.6"});
  REQUIRE(set.recipes.size() == 2);
  CHECK(set.recipes[0].name == "zeta");
  CHECK(set.recipes[1].name == "alpha");
  CHECK(set.find("alpha") != nullptr);
  CHECK(set.find("unlisted") == nullptr);

  write_file_atomic(dir.path() / "bundle.toml", "name = \"d\"\nversion = \"1\"\n\ncomponents = [\"ghost\"]\n");
  REQUIRE_THROWS_WITH(load_recipe_set(dir.path()),
                      Catch::StartsWith((dir.path() / "bundle.toml").string() + ":4: key 'components': no recipe"));
  write_file_atomic(dir.path() / "bundle.toml", "name = \"d\"\nversion = \"1\"\ncomponents = []\n[health]\ndeny = []\n");
  REQUIRE_THROWS_WITH(load_recipe_set(dir.path()), Catch::Contains(":5: key 'health.deny': unknown key"));
}

TEST_CASE("versions parse, compare and satisfy requirements", "[pack][version]") {
  CHECK(find_version("go version go1.19.8 linux/amd64") == Version{1, 19, 8});
  CHECK(find_version("v20.20.2\n") == Version{20, 20, 2});
  CHECK(find_version("GNU Make 4.3\nBuilt for x86_64-pc-linux-gnu") == Version{4, 3});
  CHECK_FALSE(find_version("no digits here x86_64"));
  CHECK(satisfies({1, 24, 0}, ">=", {1, 24}));
  CHECK_FALSE(satisfies({1, 19, 8}, ">=", {1, 24}));
  CHECK(satisfies({1, 24, 3}, "=", {1, 24}));
  CHECK_FALSE(satisfies({1, 25}, "=", {1, 24}));
  CHECK(satisfies({18}, "<", {18, 1}));
  CHECK(parse_requirement(">= 1.24") == std::make_pair(std::string(">="), std::string("1.24")));
  CHECK_FALSE(parse_requirement("~> 1.2"));
  CHECK_FALSE(parse_requirement(">= latest"));
}

TEST_CASE("several build tables give several builds in order, and a single build table stays one", "[pack][recipe]") {
  Recipe r = parse_recipe(R"(name = "web"
version = "2.0"
license = "AGPL-3.0-only"
[source]
path = "."
[[build]]
system = "go"
package = "./pkg/cmd/web"
generate = ["gen-go", "gen-themes"]
cgo = true
tags = ["oss"]
ldflags = "-X main.buildstamp=${commit_time}"
[[build]]
system = "npm"
yarn = true
output = "public"
destination = "public"
[[stage]]
from = "conf/defaults.ini"
to = "lib/web/conf/"
tree = "source"
)",
                          "/r/web.toml");
  REQUIRE(r.builds.size() == 2);
  CHECK(r.builds[0].system == BuildSystem::go);
  CHECK(r.builds[0].key == "build[0]");
  CHECK(r.builds[0].line == 6);
  CHECK(r.builds[0].output == "web");  // the recipe's name
  CHECK(r.builds[0].generate == std::vector<std::string>{"gen-go", "gen-themes"});
  CHECK(r.builds[0].cgo);
  CHECK(r.builds[0].ldflags == "-X main.buildstamp=${commit_time}");
  CHECK(r.builds[1].system == BuildSystem::npm);
  CHECK(r.builds[1].key == "build[1]");
  CHECK(r.builds[1].yarn);
  CHECK(r.builds[1].destination == "public");
  REQUIRE(r.stage.size() == 1);
  CHECK(r.stage[0].tree == StageTreeKind::source);

  Recipe one = parse_recipe(recipe_text("path = \".\"", "system = \"npm\"\noutput = \"dist\""), kFile);
  REQUIRE(one.builds.size() == 1);
  CHECK(one.builds[0].key == "build");
  CHECK(one.builds[0].destination.empty());
  CHECK(one.builds[0].generate.empty());
}

TEST_CASE("bad builds, generate targets, destinations and stage trees name file, line and key", "[pack][recipe]") {
  const std::string head = "name = \"hello\"\nversion = \"1.0\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n";
  CHECK_THAT(parse_error(head + "[[build]]\nsystem = \"go\"\n[[build]]\nsystem = \"npm\"\nscript = 3\n"),
             Catch::StartsWith("/r/hello.toml:10: key 'build[1].script': expected a string"));
  CHECK_THAT(parse_error(head + "[[build]]\nsystem = \"go\"\n[[build]]\nsystem = \"go\"\n"),
             Catch::StartsWith("/r/hello.toml:8: key 'build[1].output': another go build of this recipe already produces bin/hello"));
  CHECK_THAT(parse_error("build = 3\n" + head),
             Catch::StartsWith("/r/hello.toml:1: key 'build': expected a [build] table or [[build]] tables"));
  CHECK_THAT(parse_error(head), Catch::Contains("key 'build': missing"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\ngenerate = [\"gen go\"]")),
             Catch::StartsWith("/r/hello.toml:9: key 'build.generate': 'gen go' is not a make target"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\ngenerate = [\"-k\"]")),
             Catch::Contains("'-k' is not a make target"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"npm\"\noutput = \"dist\"\ndestination = \"../x\"")),
             Catch::StartsWith("/r/hello.toml:10: key 'build.destination': '../x' must be a directory inside the install tree"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\ndestination = \"x\"")),
             Catch::Contains("key 'build.destination': belongs to system 'npm', not 'go'"));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"") + "[[stage]]\nfrom = \"a\"\nto = \"b\"\ntree = \"build\"\n"),
             Catch::StartsWith("/r/hello.toml:12: key 'stage.tree': expected \"install\" or \"source\""));
  CHECK_THAT(parse_error(recipe_text("path = \".\"", "system = \"go\"\nldflags = \"${commit_tim}\"")),
             Catch::Contains("unknown placeholder ${commit_tim}") && Catch::Contains("${commit_time}"));
}

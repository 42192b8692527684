// Bundle assembly from a build directory as the engine leaves it (install trees and
// source records written here by hand), with the real front ends and real ELF files.
#include <catch2/catch.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/assemble.hpp>

#include "pack/source_record.hpp"

#include <front_end_libraries.hpp>
#include <nlohmann/json.hpp>
#include <test_support.hpp>

#include <cstdlib>

using namespace dkm;
using namespace dkm::pack;

namespace {

/// A project (recipes/, dist/, LICENSE) and a build directory with two built components.
struct Fixture {
  TempDir dir;
  fs::path project = dir.path() / "project";
  fs::path recipes = project / "recipes";
  BuildLayout build{dir.path() / "build"};

  Fixture() {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    fs::create_directories(recipes);
    fs::create_directories(project / "dist" / "conf");
    fs::create_directories(project / "dist" / "templates" / "grafana");
    write_file_atomic(project / "dist" / "conf" / "README", "conf\n");
    write_file_atomic(project / "dist" / "templates" / "grafana" / "grafana.ini.mustache", "port = {{port}}\n");
    write_file_atomic(project / "LICENSE", "Apache License 2.0 (test copy)\n");
    write_file_atomic(recipes / "bundle.toml",
                      test::allow_front_end_libraries("name = \"dkumonitor\"\nversion = \"9.8.7\"\n"
                                                      "components = [\"alpha\", \"beta\"]\n[health]\nallow = []\n"));
    write_recipe("alpha", "[[stage]]\nfrom = \"bin/alpha\"\nto = \"bin/\"\n\n[[stage]]\nfrom = \"share/alpha/*.so\"\nto = \"lib/alpha/\"\n");
    write_recipe("beta", "[[stage]]\nfrom = \"public\"\nto = \"static\"\n");
    install("alpha", "bin/alpha", "#!/bin/sh\necho alpha\n", 0755);
    install("alpha", "share/alpha/one.so", "not really a library\n");
    install("alpha", "share/alpha/two.so", "nor this one\n");
    install("alpha", "share/alpha/skip.txt", "not staged\n");
    install("beta", "public/index.html", "<html></html>\n");
    install("beta", "public/js/app.js", "console.log(1)\n");
    record("alpha", {"LICENSE"});
    record("beta", {"COPYING", "docs/NOTICE"});
  }
  ~Fixture() { ::unsetenv("SOURCE_DATE_EPOCH"); }

  void write_recipe(const std::string& name, const std::string& stage) {
    write_file_atomic(recipes / (name + ".toml"),
                      "name = \"" + name + "\"\nversion = \"1.0\"\nlicense = \"MIT\"\nlicense_files = [\"LICENSE\"]\n"
                      "[source]\npath = \"../src/" + name + "\"\n[build]\nsystem = \"command\"\nbuild = [[\"true\"]]\n" + stage);
  }
  void install(const std::string& name, const std::string& rel, const std::string& content, mode_t mode = 0644) {
    fs::path p = build.install_dir(name) / rel;
    fs::create_directories(p.parent_path());
    write_file_atomic(p, content, mode);
  }
  void record(const std::string& name, const std::vector<std::string>& licenses) {
    SourceRecord r;
    r.name = name;
    r.version = "1.0";
    r.license = "MIT";
    r.type = "git";
    r.url = "https://example.org/" + name + ".git";
    r.tag = "v1.0";
    r.commit = std::string(40, name[0]);
    r.install_dir = build.install_dir(name);
    for (const auto& l : licenses) {
      fs::path p = build.source_dir(name) / l;
      fs::create_directories(p.parent_path());
      write_file_atomic(p, name + " license " + l + "\n");
      r.license_files.push_back(p);
    }
    write_source_record(build.source_record(name), r);
    fs::create_directories(build.stamp(name, Step::install).parent_path());
    write_file_atomic(build.stamp(name, Step::install), "key\n");
  }
  AssemblyOptions options() const {
    AssemblyOptions o;
    o.project_dir = project;
    o.tools_dir = dkm::test::tools_dir();
    o.tool = "dkmpack-test";
    return o;
  }
  AssembledBundle assemble() { return assemble_bundle(load_recipe_set(recipes), build, options()); }
};

std::vector<std::string> stage_entries(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& p : sorted_tree(root)) out.push_back(p.generic_string());
  return out;
}

}  // namespace

TEST_CASE("assembly stages the layout, the licenses, VERSION, the manifest and the SBOM", "[pack][assemble]") {
  Fixture f;
  AssembledBundle a = f.assemble();
  fs::path s = a.staged.stage;
  CHECK(s == f.build.root() / "bundle" / "dkumonitor-9.8.7");
  for (const char* p : {"installer", "bin/dkm", "bin/dkmadmin", "bin/alpha", "lib/alpha/one.so", "lib/alpha/two.so",
                        "static/index.html", "static/js/app.js", "conf/README", "templates/grafana/grafana.ini.mustache",
                        "licenses/alpha/LICENSE", "licenses/beta/COPYING", "licenses/beta/docs/NOTICE",
                        "licenses/dkumonitor/LICENSE", "VERSION", "manifest.json", "sbom.spdx.json"})
    CHECK(fs::is_regular_file(s / p));
  CHECK(fs::is_directory(s / "dashboards"));
  CHECK_FALSE(fs::exists(s / "lib" / "alpha" / "skip.txt"));
  CHECK(read_file(s / "VERSION") == "9.8.7\n");
  CHECK((fs::status(s / "bin" / "alpha").permissions() & fs::perms::owner_exec) != fs::perms::none);

  auto m = nlohmann::json::parse(read_file(s / "manifest.json"));
  CHECK(m["version"] == "9.8.7");
  CHECK(m["source_date_epoch"] == 1700000000);
  // Every file but the manifest itself, each with its real sha256.
  std::vector<std::string> listed;
  for (const auto& file : m["files"]) {
    listed.push_back(file["path"]);
    CHECK(file["sha256"] == sha256_file(s / file["path"].get<std::string>()));
  }
  std::vector<std::string> expected;
  for (const auto& e : stage_entries(s))
    if (fs::is_regular_file(s / e) && e != "manifest.json") expected.push_back(e);
  CHECK(listed == expected);
  REQUIRE(m["components"].size() == 3);
  CHECK(m["components"][0]["name"] == "dkumonitor");
  CHECK(m["components"][0]["license"] == "Apache-2.0");
  CHECK(m["components"][1]["name"] == "alpha");
  CHECK(m["components"][1]["source"]["commit"] == std::string(40, 'a'));
  CHECK(m["components"][1]["source"]["url"] == "https://example.org/alpha.git");
  CHECK(m["components"][1]["license"] == "MIT");
  CHECK(m["components"][1]["license_files"] == nlohmann::json{"licenses/alpha/LICENSE"});
  CHECK(m["components"][2]["files"] == nlohmann::json{"licenses/beta/COPYING", "licenses/beta/docs/NOTICE",
                                                      "static/index.html", "static/js/app.js"});

  auto sbom = nlohmann::json::parse(read_file(s / "sbom.spdx.json"));
  CHECK(sbom["spdxVersion"] == "SPDX-2.3");
  CHECK(sbom["packages"].size() == 4);
  CHECK(sbom["creationInfo"]["created"] == "2023-11-14T22:13:20Z");

  CHECK(read_file(a.settings).find("set(DKM_BUNDLE_STAGE \"" + s.string() + "\")") != std::string::npos);
  CHECK(a.health.ok());
  CHECK(a.health.elf_files == 3);  // the front ends
}

TEST_CASE("assembly is repeatable and replaces the previous stage whole", "[pack][assemble]") {
  Fixture f;
  fs::path s = f.assemble().staged.stage;
  std::string manifest = read_file(s / "manifest.json");
  write_file_atomic(s / "stray", "left from an older stage\n");
  f.assemble();
  CHECK(read_file(s / "manifest.json") == manifest);
  CHECK_FALSE(fs::exists(s / "stray"));
  // No temporary directory is left beside it.
  std::vector<std::string> beside;
  for (const auto& e : fs::directory_iterator(s.parent_path())) beside.push_back(e.path().filename().string());
  std::sort(beside.begin(), beside.end());
  CHECK(beside == std::vector<std::string>{"cpack-settings.cmake", "dkumonitor-9.8.7"});
  // A change in dist/ shows in the next stage.
  write_file_atomic(f.project / "dist" / "conf" / "README", "changed\n");
  f.assemble();
  CHECK(read_file(s / "conf" / "README") == "changed\n");
  CHECK(read_file(s / "manifest.json") != manifest);
}

TEST_CASE("a failed assembly names the fault and leaves the previous stage as it was", "[pack][assemble]") {
  Fixture f;
  fs::path s = f.assemble().staged.stage;
  std::string manifest = read_file(s / "manifest.json");

  SECTION("a health violation") {
    fs::path src = f.dir.path() / "z.c";
    write_file_atomic(src, "#include <zlib.h>\nint main(void){return zlibVersion()[0] == 0;}\n");
    fs::path exe = f.build.install_dir("alpha") / "bin" / "alpha";
    fs::remove(exe);
    auto r = run_process({"gcc", "-o", exe.string(), src.string(), "-lz"});
    INFO(r.output);
    REQUIRE(r.ok());
    CHECK_THROWS_WITH(f.assemble(), Catch::Contains("bin/alpha: needs libz.so.1") && Catch::Contains("health check failed"));
  }
  SECTION("a stage rule matching nothing") {
    fs::remove_all(f.build.install_dir("beta") / "public");
    CHECK_THROWS_WITH(f.assemble(), Catch::Contains("beta.toml:") && Catch::Contains("matches nothing"));
  }
  SECTION("two components staging one path") {
    f.write_recipe("beta", "[[stage]]\nfrom = \"public/index.html\"\nto = \"bin/alpha\"\n");
    CHECK_THROWS_WITH(f.assemble(), Catch::Contains("bin/alpha is already staged by alpha"));
  }
  SECTION("a component not built") {
    fs::remove(f.build.stamp("beta", Step::install));
    CHECK_THROWS_WITH(f.assemble(), Catch::Contains("component 'beta' is not built"));
  }
  SECTION("a missing license file") {
    fs::remove(f.build.source_dir("beta") / "COPYING");
    CHECK_THROWS_WITH(f.assemble(), Catch::Contains("COPYING"));
  }
  CHECK(read_file(s / "manifest.json") == manifest);
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(s.parent_path())) entries += e.path().filename() != "" ? 1 : 0;
  CHECK(entries == 2);  // the stage and its settings, no half-staged directory
}

TEST_CASE("a stage rule with tree = \"source\" takes the file from the source tree", "[pack][assemble]") {
  Fixture f;
  f.write_recipe("beta",
                 "[[stage]]\nfrom = \"public\"\nto = \"static\"\n\n"
                 "[[stage]]\nfrom = \"conf/defaults.ini\"\nto = \"lib/beta/conf/\"\ntree = \"source\"\n");
  fs::path defaults = f.build.source_dir("beta") / "conf" / "defaults.ini";
  fs::create_directories(defaults.parent_path());
  write_file_atomic(defaults, "[server]\nhttp_port = 3000\n");
  f.install("beta", "conf/defaults.ini", "an installed file of the same name, not staged\n");
  fs::path s = f.assemble().staged.stage;
  CHECK(read_file(s / "lib" / "beta" / "conf" / "defaults.ini") == "[server]\nhttp_port = 3000\n");
  auto manifest = nlohmann::json::parse(read_file(s / "manifest.json"));
  CHECK(manifest.dump().find("lib/beta/conf/defaults.ini") != std::string::npos);

  fs::remove(defaults);
  CHECK_THROWS_WITH(f.assemble(), Catch::Contains("beta.toml:") && Catch::Contains("matches nothing in " +
                                                                                     f.build.source_dir("beta").string()));
}

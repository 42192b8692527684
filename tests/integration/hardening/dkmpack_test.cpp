// Low findings on dkmpack: an archive unpacked by root keeps no setuid or setgid bit and
// no write permission for group or others; a component cannot be named after a file of
// dkmpack's own in the build directory (build.ninja, build.log).
#include "hardening_fixture.hpp"

#include <dkm/pack/sha256.hpp>

using namespace dkm;
using namespace dkm::test;

namespace {

/// A recipes directory and a build directory, in one temporary directory.
struct PackDirs {
  TempDir dir{"dkm-hard-"};
  fs::path recipes = dir.path() / "recipes";
  fs::path build = dir.path() / "build";
  PackDirs() { fs::create_directories(recipes); }

  /// dkmpack on these recipes, building `only` and stopping before the bundle.
  RunResult dkmpack(const std::string& only) const {
    return run({tool("dkmpack").string(), "--recipes", recipes.string(), "--build-dir", build.string(), "-j", "2",
                "--skip-archive", "--only", only});
  }
};

/// Makes modes-1.0.tar.gz (as root, with the real tar) holding files and directories with
/// these modes; returns its path.
fs::path make_archive_with_modes(const PackDirs& d, const std::map<std::string, mode_t>& files,
                                 const std::map<std::string, mode_t>& dirs) {
  fs::path top = d.dir.path() / "staging/modes-1.0";
  for (const auto& [name, mode] : dirs) {
    fs::create_directories(top / name);
    REQUIRE(::chmod((top / name).c_str(), mode) == 0);
  }
  for (const auto& [name, mode] : files) {
    write_file_atomic(top / name, "#!/bin/sh\necho " + name + "\n", 0644);
    REQUIRE(::chmod((top / name).c_str(), mode) == 0);
  }
  fs::path archive = d.dir.path() / "modes-1.0.tar.gz";
  RunResult tar = run({"tar", "--owner=0", "--group=0", "-czf", archive.string(), "-C", top.parent_path().string(),
                       "modes-1.0"});
  INFO(tar.output);
  REQUIRE(tar.ok());
  return archive;
}

/// A recipe NAME of the command system, building nothing, with the given [source] lines.
std::string command_recipe(const std::string& name, const std::string& source) {
  return "name = \"" + name + "\"\nversion = \"1.0\"\nlicense = \"MIT\"\n\n[source]\n" + source +
         "\n[build]\nsystem = \"command\"\ninstall = [[\"true\"]]\n";
}

}  // namespace

// libarchive alone restores every mode bit (ARCHIVE_EXTRACT_PERM, and the entries' owner is
// root, like dkmpack's): setuid-tool stayed 04755, open.txt 0666, shared/ 0777.
TEST_CASE("dkmpack run by root unpacks an archive without setuid, setgid, or write for group and others",
          "[hardening][dkmpack]") {
  REQUIRE(::geteuid() == 0);
  PackDirs d;
  const std::map<std::string, mode_t> files{{"bin/setuid-tool", 04755}, {"bin/setgid-tool", 02755},
                                            {"bin/plain-tool", 0755},   {"open.txt", 0666},
                                            {"shared/everyone.sh", 0777}, {"note.txt", 0644}};
  const std::map<std::string, mode_t> dirs{{"bin", 0755}, {"shared", 0777}, {"setgid-dir", 02775}};
  fs::path archive = make_archive_with_modes(d, files, dirs);
  write_file_atomic(d.recipes / "modes.toml",
                    command_recipe("modes", "archive = \"file://" + archive.string() + "\"\nsha256 = \"" +
                                                pack::sha256_file(archive) + "\""));

  RunResult r = d.dkmpack("modes");
  INFO(r.output);
  REQUIRE(r.ok());
  fs::path src = d.build / "modes/src";
  // What a root-owned file may keep: the owner's bits, read and execute for the others.
  const std::map<std::string, mode_t> expected{
      {"bin/setuid-tool", 0755}, {"bin/setgid-tool", 0755}, {"bin/plain-tool", 0755}, {"open.txt", 0644},
      {"shared/everyone.sh", 0755}, {"note.txt", 0644},     {"bin", 0755},            {"shared", 0755},
      {"setgid-dir", 0755}};
  for (const auto& [name, mode] : expected) {
    INFO(name << ": mode " << std::oct << mode_of(src / name) << ", expected " << mode);
    CHECK(mode_of(src / name) == mode);
  }
  CHECK(read_file(src / "bin/plain-tool") == "#!/bin/sh\necho bin/plain-tool\n");  // content as it was
}

// Accepted, the name made BUILD/build.ninja/ a directory where dkmpack writes its ninja file:
// that run and every later one on the build directory failed with exit 1, "build.ninja:
// cannot write: Is a directory".
TEST_CASE("a component named after a file of dkmpack's own build directory is refused, naming it",
          "[hardening][dkmpack]") {
  PackDirs d;
  fs::path tree = d.dir.path() / "tree";
  fs::create_directories(tree);
  write_file_atomic(tree / "README", "a local source tree\n");
  for (std::string reserved : {"build.ninja", "build.log"}) {
    INFO(reserved);
    fs::remove_all(d.recipes);
    fs::create_directories(d.recipes);
    write_file_atomic(d.recipes / (reserved + ".toml"), command_recipe(reserved, "path = \"" + tree.string() + "\""));
    RunResult r = d.dkmpack(reserved);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("'" + reserved + "'") && Catch::Contains(reserved + ".toml"));
    std::error_code ec;
    CHECK_FALSE(fs::exists(d.build / reserved / "src", ec));
  }
  // Any other name builds.
  fs::remove_all(d.recipes);
  fs::create_directories(d.recipes);
  write_file_atomic(d.recipes / "tool.toml", command_recipe("tool", "path = \"" + tree.string() + "\""));
  RunResult ok = d.dkmpack("tool");
  INFO(ok.output);
  CHECK(ok.ok());
}

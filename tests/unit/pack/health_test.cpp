// pack/health: the bundle's health check on real ELF files built by gcc.
#include <catch2/catch.hpp>

#include "pack_samples.hpp"

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/elf.hpp>
#include <dkm/pack/health.hpp>

#include <algorithm>

using namespace dkm;
using namespace dkm::pack;
using namespace dkm::test;

TEST_CASE("libc's family is accepted, other libraries are not", "[pack][health]") {
  for (const char* lib : {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
                          "libutil.so.1", "ld-linux-x86-64.so.2", "linux-vdso.so.1"})
    CHECK(in_libc_family(lib));
  for (const char* lib : {"libz.so.1", "libstdc++.so.6", "libgcc_s.so.1", "libssl.so.3", "libcurl.so.4"})
    CHECK_FALSE(in_libc_family(lib));
}

TEST_CASE("the health check names the file and the library outside the allow-list", "[pack][health]") {
  TempDir dir;
  fs::path tree = dir.path() / "tree";
  fs::create_directories(tree / "bin");
  compile_c(dir.path(), kUsesZlib, tree / "bin" / "zprog", {"-lz"});
  compile_c(dir.path(), kHello, tree / "bin" / "hello", {});
  write_file_atomic(tree / "README", "not ELF\n");

  HealthReport report = check_health(tree);
  CHECK(report.elf_files == 2);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].file == "bin/zprog");
  CHECK(report.violations[0].library == "libz.so.1");
  CHECK(report.describe().find("bin/zprog: needs libz.so.1") != std::string::npos);

  SECTION("an allow-list pattern extends libc's family") {
    CHECK(check_health(tree, {"libz.so.*"}).ok());
    CHECK_FALSE(check_health(tree, {"libzz.so.*"}).ok());
  }
}

TEST_CASE("a library of the bundle found through a relative RUNPATH is fine, one outside is not", "[pack][health]") {
  TempDir dir;
  fs::path tree = dir.path() / "tree";
  fs::create_directories(tree / "bin");
  fs::create_directories(tree / "lib");
  compile_c(dir.path(), "int foo(void){return 42;}\n", tree / "lib" / "libfoo.so",
            {"-shared", "-fPIC", "-Wl,-soname,libfoo.so"});
  std::string uses_foo = "int foo(void);\nint main(void){return foo() == 42 ? 0 : 1;}\n";

  SECTION("found through $ORIGIN/../lib") {
    compile_c(dir.path(), uses_foo, tree / "bin" / "app", {"-L" + (tree / "lib").string(), "-lfoo", "-Wl,-rpath,$ORIGIN/../lib"});
    HealthReport report = check_health(tree);
    INFO(report.describe());
    CHECK(report.ok());
    CHECK(report.elf_files == 2);
    // And it really runs from the tree.
    CHECK(run_process({(tree / "bin" / "app").string()}).ok());
  }
  SECTION("a RUNPATH that does not lead to it") {
    compile_c(dir.path(), uses_foo, tree / "bin" / "app", {"-L" + (tree / "lib").string(), "-lfoo", "-Wl,-rpath,$ORIGIN/../other"});
    HealthReport report = check_health(tree);
    REQUIRE(report.violations.size() == 1);
    CHECK(report.violations[0].file == "bin/app");
    CHECK(report.violations[0].library == "libfoo.so");
  }
  SECTION("an absolute RUNPATH, even to the right directory, points outside the bundle") {
    compile_c(dir.path(), uses_foo, tree / "bin" / "app", {"-L" + (tree / "lib").string(), "-lfoo", "-Wl,-rpath," + (tree / "lib").string()});
    HealthReport report = check_health(tree);
    REQUIRE(report.violations.size() == 1);
    CHECK(report.violations[0].reason.find("points outside") != std::string::npos);
  }
  SECTION("a RUNPATH escaping the tree") {
    fs::create_directories(dir.path() / "lib");
    fs::copy_file(tree / "lib" / "libfoo.so", dir.path() / "lib" / "libfoo.so");
    fs::remove(tree / "lib" / "libfoo.so");
    compile_c(dir.path(), uses_foo, tree / "bin" / "app", {"-L" + (dir.path() / "lib").string(), "-lfoo", "-Wl,-rpath,$ORIGIN/../../lib"});
    HealthReport report = check_health(tree);
    REQUIRE(report.violations.size() == 1);
    CHECK(report.violations[0].library == "libfoo.so");
  }
}

TEST_CASE("static executables and a broken ELF file", "[pack][health]") {
  TempDir dir;
  fs::path tree = dir.path() / "tree";
  fs::create_directories(tree);
  compile_c(dir.path(), kHello, tree / "static", {"-static"});
  CHECK(check_health(tree).ok());
  write_file_atomic(tree / "broken", std::string("\x7f" "ELF\x02\x01\x01", 7));
  HealthReport report = check_health(tree);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].file == "broken");
  CHECK(report.violations[0].reason.find("malformed ELF") != std::string::npos);
}

TEST_CASE("an interpreter outside libc's family is a violation", "[pack][health]") {
  TempDir dir;
  fs::path tree = dir.path() / "tree";
  fs::create_directories(tree);
  compile_c(dir.path(), kHello, tree / "odd", {"-Wl,--dynamic-linker=/opt/odd/ld.so"});
  HealthReport report = check_health(tree);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].library == "/opt/odd/ld.so");
  CHECK(check_health(tree, {"/opt/odd/ld.so"}).ok());
}

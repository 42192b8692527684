// pack/elf: what the loader needs of an ELF file, read from real files built by gcc.
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

namespace {


bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("read_elf finds the interpreter, needed libraries and the run path", "[pack][elf]") {
  TempDir dir;
  fs::path exe = dir.path() / "zprog";
  compile_c(dir.path(), kUsesZlib, exe, {"-lz", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib:/opt/x"});
  auto elf = read_elf(exe);
  REQUIRE(elf);
  CHECK(elf->bits == 64);
  CHECK(elf->dynamic);
  CHECK(fs::path(elf->interpreter).filename().string().rfind("ld-linux", 0) == 0);
  CHECK(has(elf->needed, "libz.so.1"));
  CHECK(has(elf->needed, "libc.so.6"));
  CHECK(elf->runpath == std::vector<std::string>{"$ORIGIN/../lib", "/opt/x"});
}

TEST_CASE("read_elf reads DT_RPATH when there is no DT_RUNPATH, and 32-bit files", "[pack][elf]") {
  TempDir dir;
  fs::path exe = dir.path() / "old";
  compile_c(dir.path(), kHello, exe, {"-Wl,--disable-new-dtags,-rpath,$ORIGIN/lib"});
  auto elf = read_elf(exe);
  REQUIRE(elf);
  CHECK(elf->runpath == std::vector<std::string>{"$ORIGIN/lib"});
  // A 32-bit object (gcc -m32 needs multilib; -c does not link, so it always works).
  fs::path obj = dir.path() / "o32.o";
  write_file_atomic(dir.path() / "o32.c", "int f(void){return 1;}\n");
  auto r = run_process({"gcc", "-m32", "-c", "-o", obj.string(), (dir.path() / "o32.c").string()});
  if (r.ok()) {
    auto o = read_elf(obj);
    REQUIRE(o);
    CHECK(o->bits == 32);
    CHECK(o->type == ET_REL);
    CHECK(o->needed.empty());
  }
}

TEST_CASE("read_elf returns nothing for other files and names a truncated ELF file", "[pack][elf]") {
  TempDir dir;
  write_file_atomic(dir.path() / "script", "#!/bin/sh\necho hi\n");
  CHECK_FALSE(read_elf(dir.path() / "script"));
  fs::path exe = dir.path() / "hello";
  compile_c(dir.path(), kHello, exe, {});
  std::string bytes = read_file(exe);
  fs::path cut = dir.path() / "cut";
  write_file_atomic(cut, bytes.substr(0, 80));
  try {
    read_elf(cut);
    FAIL("a truncated ELF file was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(cut.string()) != std::string::npos);
    CHECK(std::string(e.what()).find("malformed ELF") != std::string::npos);
  }
}

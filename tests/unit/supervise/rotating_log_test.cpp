// supervise/rotating_log: size-based rotation that never lets a file pass max_bytes.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include "supervise/rotating_log.hpp"

using namespace dkm;
using namespace dkm::supervise;

TEST_CASE("files stay under max_bytes, cut at line ends, with the set number of backups", "[rotating_log]") {
  TempDir dir;
  fs::path path = dir.path() / "svc.log";
  RotatingLog log(LogTarget{path, 100, 2});
  for (int i = 0; i < 40; ++i) log.write("line " + std::to_string(i) + " of the log\n");  // ~17 bytes each
  for (const auto& p : {path, rotated_name(path, 1), rotated_name(path, 2)}) {
    INFO(p);
    REQUIRE(fs::exists(p));
    CHECK(fs::file_size(p) <= 100);
    std::string text = read_file(p);
    CHECK(text.rfind("line ", 0) == 0);
    CHECK(text.back() == '\n');
  }
  CHECK_FALSE(fs::exists(rotated_name(path, 3)));
  CHECK(read_file(path).find("line 39 of the log\n") != std::string::npos);
  CHECK(read_file(rotated_name(path, 1)).find("line 3") != std::string::npos);
}

TEST_CASE("a line longer than a file is split, and backups = 0 keeps one file", "[rotating_log]") {
  TempDir dir;
  fs::path path = dir.path() / "svc.log";
  RotatingLog log(LogTarget{path, 10, 0});
  log.write(std::string(25, 'x'));
  CHECK(fs::file_size(path) == 5);
  CHECK_FALSE(fs::exists(rotated_name(path, 1)));
}

TEST_CASE("max_bytes 0 never rotates and reopen follows a moved file", "[rotating_log]") {
  TempDir dir;
  fs::path path = dir.path() / "svc.log";
  RotatingLog log(LogTarget{path, 0, 3});
  log.write(std::string(5000, 'a'));
  CHECK(fs::file_size(path) == 5000);
  fs::rename(path, dir.path() / "moved.log");
  log.write("b");
  CHECK(fs::file_size(dir.path() / "moved.log") == 5001);
  log.reopen();
  log.write("c");
  CHECK(read_file(path) == "c");
}

TEST_CASE("an existing file's size counts toward the limit", "[rotating_log]") {
  TempDir dir;
  fs::path path = dir.path() / "svc.log";
  write_file_atomic(path, std::string(95, 'o') + "\n");
  RotatingLog log(LogTarget{path, 100, 1});
  log.write("0123456789\n");
  CHECK(fs::file_size(rotated_name(path, 1)) == 96);
  CHECK(read_file(path) == "0123456789\n");
}

// supervise/log_tail: the last lines of a log.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include "supervise/log_tail.hpp"

#include <fcntl.h>

using namespace dkm;
using namespace dkm::supervise;

namespace {

std::string tail_of(const fs::path& path, size_t lines) {
  TempDir dir;
  fs::path out = dir.path() / "out";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  tail_log(path, lines, false, fd);
  ::close(fd);
  return read_file(out);
}

}  // namespace

TEST_CASE("tail prints the last N lines, across read blocks", "[log_tail]") {
  TempDir dir;
  fs::path log = dir.path() / "a.log";
  std::string text;
  for (int i = 1; i <= 3000; ++i) text += "line " + std::to_string(i) + "\n";
  write_file_atomic(log, text);
  CHECK(tail_of(log, 2) == "line 2999\nline 3000\n");
  CHECK(tail_of(log, 0).empty());
  CHECK(tail_of(log, 5000) == text);
  std::string last1500 = tail_of(log, 1500);
  CHECK(last1500.rfind("line 1501\n", 0) == 0);
  write_file_atomic(log, "no newline at the end");
  CHECK(tail_of(log, 1) == "no newline at the end");
  write_file_atomic(log, "");
  CHECK(tail_of(log, 3).empty());
  CHECK_THROWS_AS(tail_of(dir.path() / "missing.log", 3), Error);
}

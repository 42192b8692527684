// supervise/log_tail: the last lines or bytes of a log, and a follower that keeps up
// with what is appended, across a rotation and a truncation.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include "supervise/log_tail.hpp"

#include <fcntl.h>

using namespace dkm;
using namespace dkm::supervise;

namespace {

std::string tail_of(const fs::path& path, const TailStart& start) {
  TempDir dir;
  fs::path out = dir.path() / "out";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  tail_log(path, start, false, fd);
  ::close(fd);
  return read_file(out);
}

std::string tail_of(const fs::path& path, size_t lines) { return tail_of(path, TailStart{lines}); }

/// Appends to a file.
void append(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(fd);
}

/// What a pipe holds now.
std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
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

TEST_CASE("tail prints the last bytes by default, as supervisorctl's (1600)", "[log_tail]") {
  TempDir dir;
  fs::path log = dir.path() / "a.log";
  std::string text;
  for (int i = 1; i <= 200; ++i) text += "line " + std::to_string(1000 + i) + "\n";  // 10 bytes each
  write_file_atomic(log, text);
  CHECK(tail_of(log, TailStart{}) == text.substr(text.size() - 1600));
  CHECK(tail_of(log, TailStart{std::nullopt, 15}) == text.substr(text.size() - 15));
  CHECK(tail_of(log, TailStart{std::nullopt, 5000}) == text);
  CHECK(tail_of(log, TailStart{std::nullopt, 0}).empty());
}

TEST_CASE("a follower copies what is appended, across a rotation and a truncation", "[log_tail]") {
  TempDir dir;
  fs::path log = dir.path() / "a.log";
  write_file_atomic(log, "0123456789first\n");
  int p[2];
  REQUIRE(::pipe2(p, O_NONBLOCK) == 0);
  LogFollower follower(log, TailStart{std::nullopt, 6});
  REQUIRE(follower.copy_new(p[1]));
  CHECK(drain(p[0]) == "first\n");
  append(log, "second\n");
  REQUIRE(follower.on_ready(p[1]));
  CHECK(drain(p[0]) == "second\n");
  append(log, "last of the old file\n");
  fs::rename(log, dir.path() / "a.log.1");
  append(log, "new file\n");
  REQUIRE(follower.on_ready(p[1]));
  CHECK(drain(p[0]) == "last of the old file\nnew file\n");
  REQUIRE(::truncate(log.c_str(), 0) == 0);
  append(log, "cut\n");  // shorter than what was read: seen as a truncation
  REQUIRE(follower.on_ready(p[1]));
  CHECK(drain(p[0]) == "cut\n");
  ::close(p[0]);
  ::close(p[1]);
}

// libdkm core: strings, atomic files, running processes.
#include <catch2/catch.hpp>

#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/temp_dir.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace dkm;

TEST_CASE("split keeps empty fields and join restores the text", "[core]") {
  auto parts = split("a,,b,", ',');
  REQUIRE(parts == std::vector<std::string>{"a", "", "b", ""});
  CHECK(join(parts, ",") == "a,,b,");
  CHECK(trim("  x y \n") == "x y");
}

TEST_CASE("shell_quote leaves plain words and quotes the rest", "[core]") {
  CHECK(shell_quote("/opt/dkm-1.0/bin") == "/opt/dkm-1.0/bin");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\"'\"'s'");
  CHECK(shell_quote("") == "''");
}

TEST_CASE("last_lines returns the tail of a log", "[core]") {
  CHECK(last_lines("1\n2\n3\n", 2) == "2\n3\n");
  CHECK(last_lines("1\n2", 5) == "1\n2");
  CHECK(last_lines("x", 0).empty());
}

TEST_CASE("write_file_atomic writes the content with the requested mode and no leftovers", "[core]") {
  TempDir dir;
  fs::path target = dir.path() / "secret.ini";
  write_file_atomic(target, "password = x\n", 0600);
  CHECK(read_file(target) == "password = x\n");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  CHECK_FALSE(write_file_if_changed(target, "password = x\n", 0600));
  CHECK(write_file_if_changed(target, "password = y\n", 0600));
  CHECK(read_file(target) == "password = y\n");
}

TEST_CASE("write_file_atomic into a missing directory fails naming the path", "[core]") {
  TempDir dir;
  fs::path target = dir.path() / "missing" / "f";
  REQUIRE_THROWS_WITH(write_file_atomic(target, "x"), Catch::Contains(target.string()));
}

TEST_CASE("run_process captures output, exit codes, signals and environment", "[core]") {
  auto ok = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(ok.exit_code == 3);
  CHECK(ok.output.find("out") != std::string::npos);
  CHECK(ok.output.find("err") != std::string::npos);

  RunOptions options;
  options.env["DKM_PROBE"] = "42";
  options.input = "hello";
  auto env = run_process({"sh", "-c", "cat; echo \" $DKM_PROBE\""}, options);
  CHECK(env.output == "hello 42\n");

  auto killed = run_process({"sh", "-c", "kill -9 $$"});
  CHECK(killed.signal == 9);
  CHECK(killed.describe() == "killed by signal 9");

  REQUIRE_THROWS_WITH(run_process({"/nonexistent/prog"}), Catch::Contains("/nonexistent/prog"));
}

TEST_CASE("run_process appends to a log file", "[core]") {
  TempDir dir;
  RunOptions options;
  options.log_file = dir.path() / "step.log";
  options.cwd = dir.path();
  run_process({"sh", "-c", "pwd; echo one"}, options);
  run_process({"sh", "-c", "echo two >&2"}, options);
  CHECK(read_file(*options.log_file) == dir.path().string() + "\none\ntwo\n");
}

TEST_CASE("run_process streams output to a callback, or leaves stdout to the child", "[core]") {
  RunOptions streaming;
  std::string seen;
  int chunks = 0;
  streaming.on_output = [&](std::string_view chunk) {
    seen += chunk;
    ++chunks;
  };
  RunResult r = run_process({"sh", "-c", "echo one; echo two >&2"}, streaming);
  CHECK(r.ok());
  CHECK(r.output.empty());
  CHECK(seen == "one\ntwo\n");
  CHECK(chunks >= 1);

  TempDir dir;
  fs::path file = dir.path() / "stdout";
  int saved = ::dup(1);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  ::close(fd);
  RunOptions inherit;
  inherit.inherit_output = true;
  RunResult direct = run_process({"sh", "-c", "echo direct"}, inherit);
  ::dup2(saved, 1);
  ::close(saved);
  CHECK(direct.ok());
  CHECK(direct.output.empty());
  CHECK(read_file(file) == "direct\n");
}

// core/process: starting programs (spawn_process on Boost.Process), running them to the
// end (run_process), finding them (search_path).
#include <catch2/catch.hpp>

#include <dkm/core/files.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/temp_dir.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

using namespace dkm;

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

namespace {

/// Waits for `pid` (a child) and returns its exit code (-1 when killed).
int exit_code_of(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Reads a pipe to its end.
std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("spawn_process starts a child in its own group or session, with its environment and directory", "[core]") {
  TempDir dir;
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo \"$GREETING\"; pwd; cut -d' ' -f5,6 /proc/$$/stat"};
  options.env = std::vector<std::string>{"GREETING=hello", "PATH=/usr/bin:/bin"};
  options.cwd = dir.path();
  options.out = Output::kPipe;
  options.err = Output::kSameAsStdout;
  options.grouping = Grouping::kOwnGroup;
  SpawnedProcess child = spawn_process(options);
  std::string out = read_all(child.stdout_fd);
  CHECK(exit_code_of(child.pid) == 0);
  CHECK_THAT(out, Catch::StartsWith("hello\n" + dir.path().string() + "\n"));
  auto ids = split(std::string(trim(out.substr(out.rfind('\n', out.size() - 2) + 1))), ' ');
  CHECK(std::stol(ids.front()) == child.pid);  // leads its group
  CHECK(std::stol(ids.back()) == ::getsid(0));  // in this session

  options.grouping = Grouping::kOwnSession;
  child = spawn_process(options);
  out = read_all(child.stdout_fd);
  CHECK(exit_code_of(child.pid) == 0);
  CHECK_THAT(out, Catch::EndsWith(" " + std::to_string(child.pid) + "\n"));  // leads its session
}

TEST_CASE("a detached child has init as its parent and keeps only the descriptors it is given", "[core]") {
  int report[2];
  REQUIRE(::pipe2(report, O_CLOEXEC) == 0);
  int other[2];
  REQUIRE(::pipe2(other, O_CLOEXEC) == 0);
  SpawnOptions options;
  options.argv = {"sh", "-c", "cut -d' ' -f4 /proc/$$/stat >&" + std::to_string(report[1]) + "; echo leak >&" + std::to_string(other[1])};
  options.grouping = Grouping::kDetached;
  options.inherited_fds = {report[1]};
  options.out = options.err = Output::kNull;
  spawn_process(options);  // the intermediate child is reaped already
  ::close(report[1]);
  ::close(other[1]);
  std::string parent(trim(read_all(report[0])));
  CHECK(parent != std::to_string(::getpid()));
  CHECK_FALSE(parent.empty());
  CHECK(read_all(other[0]).empty());  // close-on-exec descriptors stay closed
}

TEST_CASE("spawn_process sets the child's umask and resource limits, and resets its signals", "[core]") {
  ::signal(SIGUSR1, SIG_IGN);  // ignored here; the child must get the default back
  SpawnOptions options;
  options.argv = {"sh", "-c", "umask; ulimit -n; grep SigIgn /proc/$$/status"};
  options.umask = 027;
  options.limits = {{RLIMIT_NOFILE, 77}};
  options.out = Output::kPipe;
  SpawnedProcess child = spawn_process(options);
  std::string out = read_all(child.stdout_fd);
  ::signal(SIGUSR1, SIG_DFL);
  CHECK(exit_code_of(child.pid) == 0);
  CHECK_THAT(out, Catch::StartsWith("0027\n77\nSigIgn:\t"));
  unsigned long long ignored = std::stoull(out.substr(out.find('\t') + 1), nullptr, 16);
  CHECK((ignored & (1ULL << (SIGUSR1 - 1))) == 0);
}

TEST_CASE("a child that cannot start is an error naming what failed, and leaves no zombie", "[core]") {
  TempDir dir;
  SpawnOptions options;
  options.argv = {"no-such-program-here"};
  options.env = std::vector<std::string>{"PATH=" + dir.path().string()};
  REQUIRE_THROWS_WITH(spawn_process(options), "can't find command 'no-such-program-here' in PATH");
  options.argv = {(dir.path() / "missing").string()};
  REQUIRE_THROWS_WITH(spawn_process(options), "no such file: " + (dir.path() / "missing").string());
  write_file_atomic(dir.path() / "script", "#!/bin/sh\n", 0644);
  options.argv = {(dir.path() / "script").string()};
  REQUIRE_THROWS_WITH(spawn_process(options), "file is not executable: " + (dir.path() / "script").string());
  write_file_atomic(dir.path() / "bad", "#!/no/such/interpreter\n", 0755);
  options.argv = {(dir.path() / "bad").string()};
  try {
    spawn_process(options);
    FAIL("a program whose exec fails started");
  } catch (const SpawnError& e) {
    CHECK(e.step() == SpawnError::Step::kExecute);
    CHECK_THAT(e.what(), Catch::StartsWith("cannot run " + (dir.path() / "bad").string()));
  }
  options.argv = {"/bin/true"};
  options.cwd = dir.path() / "nowhere";
  try {
    spawn_process(options);
    FAIL("a child started in a directory that does not exist");
  } catch (const SpawnError& e) {
    CHECK(e.step() == SpawnError::Step::kEnterDirectory);
    CHECK(std::string(e.what()) == "cannot enter directory " + options.cwd.string() + ": No such file or directory");
  }
  CHECK(::waitpid(-1, nullptr, WNOHANG) < 0);  // every failed child was reaped
}

TEST_CASE("search_path finds the first executable file, not a directory, and an empty entry is the working directory", "[core]") {
  TempDir dir;
  fs::create_directories(dir.path() / "a" / "tool");  // a directory of that name
  fs::create_directories(dir.path() / "b");
  write_file_atomic(dir.path() / "b" / "tool", "#!/bin/sh\n", 0644);  // not executable
  fs::create_directories(dir.path() / "c");
  write_file_atomic(dir.path() / "c" / "tool", "#!/bin/sh\n", 0755);
  std::string path = (dir.path() / "a").string() + ":" + (dir.path() / "b").string() + ":" + (dir.path() / "c").string();
  CHECK(search_path("tool", path) == dir.path() / "c" / "tool");
  CHECK(search_path("tool", (dir.path() / "a").string()).empty());
  CHECK(find_in_path("sh") != fs::path());
}

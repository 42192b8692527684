#pragma once
// The hardening group: each test is an attack on the real front ends (installer, dkm,
// dkmadmin, dkmpack), run as an account on this host would run it, then the legitimate
// use the attack must not break. Tests run as root (CI does); the attacker is a
// throw-away account (TestAccount, dkmadmin_support.hpp) and its commands run with that
// account's uid, gid and groups (setpriv). Processes are told apart by a number no other
// process carries: services and victims run `sleep TOKEN`.

#include "../dkmadmin/dkmadmin_support.hpp"

#include <dkm/core/install_layout.hpp>
#include "supervise/leftovers.hpp"
#include <dkm/core/proc_info.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace dkm::test {

using namespace std::chrono_literals;

/// The primary group of `account`.
inline gid_t primary_gid(const TestAccount& account) {
  const passwd* pw = ::getpwuid(account.uid());
  return pw ? pw->pw_gid : static_cast<gid_t>(account.uid());
}

/// Runs argv as `account` (its uid, gid and supplementary groups; this environment).
inline RunResult run_as(const TestAccount& account, const std::vector<std::string>& argv, RunOptions options = {}) {
  std::vector<std::string> full{"setpriv", "--reuid=" + std::to_string(account.uid()),
                                "--regid=" + std::to_string(primary_gid(account)), "--init-groups", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  return run(full, options);
}

/// A number of seconds no other process of this host sleeps: `sleep TOKEN` is found by it.
inline std::string unique_token() {
  static std::mt19937 rng{std::random_device{}()};
  return std::to_string(7000000 + rng() % 2000000);
}

/// The live processes (zombies left out) with `word` as one of their arguments.
inline std::vector<pid_t> processes_with_arg(const std::string& word) {
  std::vector<pid_t> found;
  for (pid_t pid : dkm::list_pids()) {
    if (pid == ::getpid() || !dkm::process_alive(pid)) continue;
    std::string cmdline = dkm::read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
    for (const auto& arg : split(cmdline, '\0'))
      if (arg == word) {
        found.push_back(pid);
        break;
      }
  }
  return found;
}

/// Kills every process that sleeps `token` (cleanup).
inline void kill_token(const std::string& token) {
  for (pid_t pid : processes_with_arg(token)) ::kill(pid, SIGKILL);
}

/// Kills, when it goes, every process sleeping one of its tokens: a test that ends early
/// leaves no `sleep TOKEN` behind. Declare it before the install the tokens run in.
struct KillAtEnd {
  std::vector<std::string> tokens;  ///< the tokens to look for
  ~KillAtEnd() {
    for (const auto& token : tokens) kill_token(token);
  }
};

/// Sets a file's modification time (as `touch -d` would), without following a link.
inline void set_mtime(const fs::path& path, double epoch) {
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(epoch);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

/// A process unrelated to any install: `sleep TOKEN` as `uid` (root by default), in a
/// session of its own, with an environment of its own. Killed and reaped at the end.
class Victim {
 public:
  explicit Victim(uid_t uid = 0, gid_t gid = 0) : token_(unique_token()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();
      if (uid != 0 && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      const char* argv[] = {"sleep", token_.c_str(), nullptr};
      const char* envp[] = {"PATH=/usr/bin:/bin", nullptr};
      ::execve("/bin/sleep", const_cast<char* const*>(argv), const_cast<char* const*>(envp));
      ::_exit(127);
    }
    REQUIRE(wait_until([&] { return processes_with_arg(token_) == std::vector<pid_t>{pid_}; }));
  }
  Victim(const Victim&) = delete;
  Victim& operator=(const Victim&) = delete;
  ~Victim() {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  /// Its pid.
  pid_t pid() const { return pid_; }
  /// True while it runs (it is our child: a dead one is a zombie until the end).
  bool alive() const { return dkm::process_alive(pid_); }
  /// When it started, as epoch seconds (what a forged pid file's mtime is set to).
  double start_epoch() const { return dkm::process_start_epoch(dkm::read_proc_stat(pid_)->starttime); }

 private:
  std::string token_;
  pid_t pid_ = -1;
};

/// A minimal install for dkm: DIR/conf/services.ini and DIR/bin/env (DKM_HOME), in a
/// directory every account can traverse, given to `owner` (root when none). Whatever of
/// it still runs at the end is killed.
class ServicesInstall {
 public:
  explicit ServicesInstall(const std::string& services, const TestAccount* owner = nullptr)
      : dir_("dkm-hard-"), layout_(dir_.path() / "inst"), owner_(owner) {
    open_up(dir_.path());
    fs::create_directories(layout_.conf());
    fs::create_directories(layout_.bin());
    write_file_atomic(layout_.services_file(), services);
    write_file_atomic(layout_.env_file(), dkm::render_env_file({{"DKM_HOME", layout_.root().string()}}));
    if (owner_) give_to(layout_.root(), owner_->uid());
  }
  ServicesInstall(const ServicesInstall&) = delete;
  ServicesInstall& operator=(const ServicesInstall&) = delete;
  ~ServicesInstall() {
    try {
      owner_ ? as_owner({"stop"}) : as_root({"stop"});
    } catch (...) {
    }
    for (pid_t pid : dkm::list_pids()) {
      std::string cmdline = dkm::read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
      if (cmdline.find(dir_.path().string()) != std::string::npos ||
          dkm::environ_contains(pid, dkm::supervise::service_marker(layout_)))
        ::kill(pid, SIGKILL);
    }
  }

  /// The install's paths.
  const dkm::InstallLayout& layout() const { return layout_; }
  /// The temporary directory that holds DIR (and whatever else a test puts beside it).
  const fs::path& scratch() const { return dir_.path(); }

  /// Runs `dkm -d DIR args...` as root (DKM_ALLOW_ROOT=1), or through `dir` instead of DIR.
  RunResult as_root(const std::vector<std::string>& args, const fs::path& dir = {}) const {
    return run(dkm_argv(args, dir), dkm_options());
  }
  /// Runs `dkm -d DIR args...` as the owner.
  RunResult as_owner(const std::vector<std::string>& args) const {
    REQUIRE(owner_ != nullptr);
    return run_as(*owner_, dkm_argv(args, {}), dkm_options());
  }

  /// The supervisor's pid from DIR/run/dkm.pid, 0 when there is none.
  pid_t supervisor_pid() const {
    std::error_code ec;
    if (!fs::is_regular_file(layout_.supervisor_pid_file(), ec)) return 0;
    return static_cast<pid_t>(std::strtol(read_file(layout_.supervisor_pid_file()).c_str(), nullptr, 10));
  }
  /// Kills the supervisor with SIGKILL, leaving its services behind, and waits for it to go.
  void kill_supervisor() const {
    pid_t pid = supervisor_pid();
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    REQUIRE(wait_until([&] { return !dkm::process_alive(pid); }));
  }

 private:
  std::vector<std::string> dkm_argv(const std::vector<std::string>& args, const fs::path& dir) const {
    std::vector<std::string> argv{tool("dkm").string(), "-d", dir.empty() ? layout_.root().string() : dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  static RunOptions dkm_options() {
    RunOptions o;
    o.env["DKM_ALLOW_ROOT"] = "1";
    o.unset_env = {"DKM_HOME"};
    return o;
  }

  TempDir dir_;
  dkm::InstallLayout layout_;
  const TestAccount* owner_;
};

/// A [program:NAME] section that runs `command` (a shell command line for /bin/sh -c),
/// started by `dkm start`, RUNNING once up for a second.
inline std::string shell_service(const std::string& name, const std::string& command) {
  return "[program:" + name + "]\ncommand = /bin/sh -c \"" + command + "\"\nautostart = false\nstopwaitsecs = 3\n";
}

/// The mode bits (07777) of a path, links not followed.
inline mode_t mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

/// The owner of a path, links not followed.
inline uid_t owner_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_uid;
}

}  // namespace dkm::test

#pragma once
// Helpers of the dkmadmin group: installs made by the real installer, running dkmadmin, snapshots of
// a --root tree, and a throw-away system account.

#include "installer_fixture.hpp"
#include "test_support.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/core/install_layout.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <string>
#include <vector>

namespace dkm::test {

/// Gives `dir` and everything in it (links themselves, not their targets) to `owner`.
inline void give_to(const fs::path& dir, uid_t owner) {
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (::lchown(entry.path().c_str(), owner, owner) != 0) throw Error(entry.path().string() + ": chown failed");
  if (::chown(dir.c_str(), owner, owner) != 0) throw Error(dir.string() + ": chown failed");
}

/// An install made by the real installer into `dir`, type agent (one service: collectd),
/// given to `owner`. The bundle is the installer group's test bundle (installer_fixture.hpp:
/// the built installer, dkm and dkmadmin, Debian's collectd), made once beside `dir`.
inline dkm::InstallLayout make_install(const fs::path& dir, uid_t owner = 1) {
  fs::path bundle_dir = dir.parent_path() / "dkumonitor-1.0.0";
  TestBundle bundle{bundle_dir};
  if (!fs::exists(bundle_dir)) bundle = make_test_bundle(bundle_dir);
  auto result = run_installer(bundle, {"-d", dir.string(), "-p", "27600", "-t", "agent", "--hostname",
                                       "boot.dkm.example", "--carbon-server", "127.0.0.1"});
  if (!result.ok()) throw Error("installer -d " + dir.string() + ": " + result.describe() + "\n" + result.output);
  dkm::InstallLayout layout(dir);
  give_to(layout.root(), owner);
  return layout;
}

/// Runs the built dkmadmin with `args`.
inline RunResult dkmadmin(const std::vector<std::string>& args) {
  std::vector<std::string> argv{tool("dkmadmin").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

/// Every path under `root`: directories with a '/', links with their text, regular
/// files with their mode and content. Two equal snapshots mean an unchanged tree.
inline std::string snapshot(const fs::path& root) {
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    std::string line = entry.path().lexically_relative(root).string();
    if (entry.is_symlink()) {
      line += " -> " + fs::read_symlink(entry.path()).string();
    } else if (entry.is_directory()) {
      line += "/";
    } else {
      struct stat st {};
      ::lstat(entry.path().c_str(), &st);
      line += " mode " + std::to_string(st.st_mode & 07777) + " [" + read_file(entry.path()) + "]";
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return join(lines, "\n");
}

/// Every path under `root`, as the booted system sees it ("/etc/..."), sorted.
inline std::vector<std::string> listed_paths(const fs::path& root) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    paths.push_back("/" + entry.path().lexically_relative(root).string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

/// A directory that other accounts can traverse (mkdtemp makes 0700 ones), so that an
/// install inside it can be run by a service account.
inline void open_up(const fs::path& dir) { fs::permissions(dir, fs::perms(0755)); }

/// The pids of every process running as `uid`.
inline std::vector<pid_t> processes_of(uid_t uid) {
  std::vector<pid_t> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) == 0 && st.st_uid == uid) pids.push_back(std::stoi(name));
  }
  return pids;
}

/// A system account made with useradd for one test, removed (with any process it
/// left) when the test ends.
class TestAccount {
 public:
  /// Creates an account named dkmtNNNNNN with no home and no login shell.
  TestAccount() {
    std::mt19937 rng{std::random_device{}()};
    name_ = "dkmt" + std::to_string(100000 + rng() % 900000);
    auto made = run({"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name_});
    if (!made.ok()) throw Error("useradd " + name_ + ": " + made.output);
    uid_ = static_cast<uid_t>(std::stoul(run({"id", "-u", name_}).output));
  }
  TestAccount(const TestAccount&) = delete;
  TestAccount& operator=(const TestAccount&) = delete;
  ~TestAccount() {
    for (pid_t pid : processes_of(uid_)) ::kill(pid, SIGKILL);
    run({"userdel", name_});
  }
  /// The login name.
  const std::string& name() const { return name_; }
  /// The user id.
  uid_t uid() const { return uid_; }

 private:
  std::string name_;
  uid_t uid_ = 0;
};

}  // namespace dkm::test

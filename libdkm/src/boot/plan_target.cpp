// What a boot service starts, worked out before anything is written.
#include <dkm/boot/plan_target.hpp>

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <vector>

namespace dkm::boot {

namespace {

bool lies_in(const fs::path& path, std::initializer_list<const char*> areas) {
  for (const char* area : areas) {
    fs::path rel = path.lexically_relative(area);
    if (!rel.empty() && *rel.begin() != "..") return true;
  }
  return false;
}

/// True when `path` (as the booted system sees it) lies where ProtectHome= reaches.
bool in_home_area(const fs::path& path) { return lies_in(path, {"/home", "/root", "/run/user"}); }

/// True when `path` (as the booted system sees it) lies where PrivateTmp= reaches.
bool in_tmp_area(const fs::path& path) { return lies_in(path, {"/tmp", "/var/tmp"}); }

/// `path` with every link resolved (what does not exist yet kept as written).
fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(path, ec);
  return ec ? path : out;
}

/// The status of `path` (links followed, or not); nothing when it cannot be had.
std::optional<struct stat> status_of(const fs::path& path, bool follow) {
  struct stat st {};
  if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) return std::nullopt;
  return st;
}

/// Checks that `layout` holds a bootable install; its directory's real path.
fs::path check_install_dir(const InstallLayout& layout) {
  const fs::path& dir = layout.root();
  if (!layout.holds_install())
    throw UsageError(dir.string() + ": holds no dkumonitor install (" + layout.env_file().string() +
                     " is missing); pass -d DIR of an install made by the installer");
  fs::path dkm_binary = layout.bin() / "dkm";
  if (::access(dkm_binary.c_str(), X_OK) != 0)
    throw UsageError(dkm_binary.string() + ": missing or not executable; the install is incomplete (run installer -u -d " +
                     dir.string() + ")");
  std::error_code ec;
  fs::path real = fs::canonical(dir, ec);
  if (ec) throw UsageError(dir.string() + ": cannot resolve: " + ec.message());
  check_bootable_path(real, "install directory");
  return real;
}

/// The account dkm runs as: --user, else the owner of DIR (`owner`).
Account boot_account(const fs::path& dir, uid_t owner, const BootOptions& options) {
  if (options.user.empty()) {
    std::optional<Account> account = find_account(options.root, nullptr, owner);
    if (!account)
      throw UsageError(dir.string() + " is owned by uid " + std::to_string(owner) + ", which has no account; pass --user USER");
    if (account->uid == 0)
      throw UsageError(dir.string() + " is owned by root, and dkm does not run as root: give it to a service account "
                       "(chown -R USER " + shell_quote(dir.string()) + ") or pass --user USER (--user root runs "
                       "dkm as root anyway)");
    return *account;
  }
  std::optional<Account> account = find_account(options.root, &options.user, 0);
  if (!account)
    throw UsageError("--user " + options.user + ": no such account" +
                     (options.root == "/" ? std::string() : " (looked in " + (options.root / "etc/passwd").string() +
                                                                " or on this machine)"));
  if (account->uid == 0 && owner != 0 && !options.force) {
    std::optional<Account> by_owner = find_account(options.root, nullptr, owner);
    std::string name = by_owner ? by_owner->name : "uid " + std::to_string(owner);
    throw UsageError("--user " + options.user + ": " + dir.string() + " belongs to " + name + ", whose services.ini " +
                     "(which " + name + " can change) the boot service would run as root at every boot. Leave --user "
                     "out to run it as " + name + ", or pass --force to run it as root anyway (and give the install "
                     "to root: chown -R root " + shell_quote(dir.string()) + ")");
  }
  return *account;
}

/// The directories besides DIR that dkm writes: run/, storage/ and conf/ when they are
/// links out of DIR, by their real paths on this machine; refused (UsageError naming the
/// link) unless writable_problem() finds nothing wrong.
std::vector<fs::path> linked_out_dirs(const InstallLayout& layout, const fs::path& real_dir, const Account& account) {
  std::vector<fs::path> out;
  for (const fs::path& sub : {layout.run(), layout.storage(), layout.conf()}) {
    std::optional<struct stat> link = status_of(sub, false);
    if (!link) continue;
    fs::path real = resolved(sub);
    fs::path rel = real.lexically_relative(real_dir);
    if (!rel.empty() && *rel.begin() != "..") continue;
    std::optional<struct stat> target = status_of(real, true);
    std::string why = writable_problem(account.name, account.uid, target && S_ISDIR(target->st_mode),
                                       target ? target->st_uid : 0, link->st_uid);
    if (!why.empty())
      throw UsageError(sub.string() + " leads to " + real.string() + ", " + why + ". Point it at a directory of " +
                       account.name + "'s, or move what it holds back into " + layout.root().string());
    out.push_back(real);
  }
  return out;
}

}  // namespace

fs::path install_home(const fs::path& root, const InstallLayout& layout) {
  return seen_from_root(root, canonical_install(layout).root());
}

bool names_install(const fs::path& recorded, const fs::path& root, const InstallLayout& layout) {
  return recorded == install_home(root, layout) || recorded == seen_from_root(root, layout.root());
}

std::string writable_problem(const std::string& user, uid_t uid, bool is_directory, uid_t directory_owner,
                             uid_t link_owner) {
  if (!is_directory) return "which is not a directory";
  if (directory_owner != uid)
    return "a directory " + user + " does not own: the boot service makes writable only the install and directories "
           "of the account it runs as";
  if (uid == 0 && link_owner != 0)
    return "through a link of another account's: the boot service runs as root and makes nothing writable on "
           "another account's say-so";
  return {};
}

BootTarget plan_boot_target(const InstallLayout& layout, const BootOptions& options) {
  validate_instance_name(options.instance);
  fs::path real_dir = check_install_dir(layout);
  std::optional<struct stat> dir_status = status_of(real_dir, true);
  if (!dir_status) throw Error(real_dir.string() + ": cannot stat: " + errno_text());
  Account account = boot_account(layout.root(), dir_status->st_uid, options);

  BootTarget target;
  target.instance = options.instance;
  target.home = seen_from_root(options.root, real_dir);
  target.user = account.name;
  target.uid = account.uid;
  target.run_as_root = account.uid == 0;
  std::optional<Account> owner = find_account(options.root, nullptr, dir_status->st_uid);
  target.install_owner = owner ? owner->name : std::to_string(dir_status->st_uid);

  // The sandbox makes everything read-only but these: DIR, and the directories dkm
  // writes when they are links to elsewhere (storage on a data disk, say).
  target.writable.push_back(target.home);
  std::vector<fs::path> seen_paths{target.home};
  for (const fs::path& real : linked_out_dirs(layout, real_dir, account)) {
    fs::path seen = seen_from_root(options.root, real);
    check_bootable_path(seen, real.string() + ", where a link of the install leads,");
    target.writable.push_back(seen);
    seen_paths.push_back(seen);
  }
  // The bundle (where bin/dkm points) is read; ProtectHome=yes would hide it in /home.
  seen_paths.push_back(seen_from_root(options.root, resolved(layout.bin() / "dkm")));
  // Read through handles, never a link: the file is the owner's, dkmadmin runs as root.
  std::optional<std::string> env_text;
  try {
    env_text = DirHandle(real_dir, true).subdir("bin").read_file("env");
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  if (!env_text) throw UsageError(layout.env_file().string() + ": cannot be read as a file of the install's own");
  auto env = parse_env_file(*env_text, layout.env_file().string());
  if (auto bundle = env.find("DKM_BUNDLE"); bundle != env.end() && !bundle->second.empty())
    seen_paths.push_back(seen_from_root(options.root, resolved(bundle->second)));
  target.under_home = std::any_of(seen_paths.begin(), seen_paths.end(), in_home_area);
  target.under_tmp = std::any_of(seen_paths.begin(), seen_paths.end(), in_tmp_area);
  return target;
}

std::string ownership_warning(const InstallLayout& layout, uid_t uid, const std::string& user) {
  std::vector<std::string> foreign;
  for (const fs::path& dir : {layout.root(), layout.run(), layout.storage()}) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && st.st_uid != uid && uid != 0) foreign.push_back(dir.string());
  }
  if (foreign.empty()) return {};
  return "warning: " + user + " does not own " + join(foreign, ", ") + ", where dkm writes its pid file, logs and data; "
         "give the install to it: chown -R " + user + " " + shell_quote(layout.root().string());
}

}  // namespace dkm::boot

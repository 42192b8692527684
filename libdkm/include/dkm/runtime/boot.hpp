#pragma once
// dkmadmin's work: install-boot, uninstall-boot and status-boot for one install
// directory. install-boot writes a systemd unit or a SysV init script, enables it, and
// records every file, link and directory it made; uninstall-boot disables and removes
// exactly what the record lists. Everything is checked before anything is written.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/runtime/boot_init.hpp>
#include <dkm/runtime/boot_record.hpp>
#include <dkm/runtime/boot_systemd.hpp>
#include <dkm/runtime/boot_sysv.hpp>
#include <dkm/runtime/boot_target.hpp>
#include <dkm/runtime/layout.hpp>
#include <dkm/runtime/migrate_boot.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dkm::runtime {

/// The programs boot services are enabled with (systemctl, update-rc.d, chkconfig):
/// the one part of the machine behind an interface, so that the logic can be tested
/// on a machine where systemd is not running.
class BootCommands {
 public:
  virtual ~BootCommands() = default;
  /// The path of `program` when this machine has it, else empty.
  virtual fs::path locate(const std::string& program) = 0;
  /// Runs argv (argv[0] as returned by locate()) to completion.
  virtual RunResult run(const std::vector<std::string>& argv) = 0;
};

/// The real programs of this machine, looked up in PATH and the sbin directories.
class SystemBootCommands : public BootCommands {
 public:
  /// Finds `program` in PATH, then /usr/sbin, /sbin, /usr/bin and /bin (a user's PATH
  /// often lacks the sbin directories where update-rc.d and chkconfig live).
  fs::path locate(const std::string& program) override {
    if (fs::path found = find_in_path(program); !found.empty()) return found;
    for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
      fs::path candidate = fs::path(dir) / program;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
  }
  /// Runs argv with its output captured.
  RunResult run(const std::vector<std::string>& argv) override { return run_process(argv); }
};

/// What install-boot, uninstall-boot and status-boot are asked to do.
struct BootOptions {
  fs::path root = "/";              ///< where files go (--root), absolute
  bool offline = false;             ///< --root given: write files only, run no systemctl/update-rc.d/chkconfig
  std::string instance;             ///< --name
  std::string user;                 ///< --user; empty = the owner of DIR
  std::optional<InitSystem> init;   ///< --init; empty = detect
  bool force = false;               ///< --force: replace a service of the same name for another DIR
  std::string written_by = "dkmadmin";  ///< recorded in the record
};

/// Throws UsageError unless this process may change the boot configuration of `options.root`.
inline void require_boot_privileges(const BootOptions& options, const std::string& command) {
  if (options.offline || ::geteuid() == 0) return;
  throw UsageError(command + " must run as root: it writes under /etc and runs systemctl, update-rc.d or "
                   "chkconfig. Run it with sudo, or pass --root PATH to write into another root (an image)");
}

namespace boot_detail {

/// True when `path` lies in one of `areas` (or is one).
inline bool lies_in(const fs::path& path, std::initializer_list<const char*> areas) {
  for (const char* area : areas) {
    fs::path rel = path.lexically_relative(area);
    if (!rel.empty() && *rel.begin() != "..") return true;
  }
  return false;
}

/// True when `path` (as the booted system sees it) lies where ProtectHome= reaches.
inline bool in_home_area(const fs::path& path) { return lies_in(path, {"/home", "/root", "/run/user"}); }

/// True when `path` (as the booted system sees it) lies where PrivateTmp= reaches.
inline bool in_tmp_area(const fs::path& path) { return lies_in(path, {"/tmp", "/var/tmp"}); }

/// `path` with its symlinks resolved as far as they exist.
inline fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(path, ec);
  return ec ? path : out;
}

/// The directories, as the booted system sees them, that must be created so that
/// every path of `dirs` exists under `root`; parents first.
inline std::vector<fs::path> missing_dirs(const fs::path& root, const std::vector<fs::path>& dirs) {
  std::set<std::string> missing;
  std::error_code ec;
  for (fs::path dir : dirs) {
    while (dir != "/" && !dir.empty() && !fs::exists(under_root(root, dir), ec)) {
      missing.insert(dir.string());
      dir = dir.parent_path();
    }
  }
  // A parent is a prefix of its children, so the set's order puts parents first.
  return {missing.begin(), missing.end()};
}

/// Appends the paths of `more` not yet in `list`, keeping parents before children.
inline void merge_dirs(std::vector<fs::path>& list, const std::vector<fs::path>& more) {
  std::set<std::string> all;
  for (const auto& p : list) all.insert(p.string());
  for (const auto& p : more) all.insert(p.string());
  list.assign(all.begin(), all.end());
}

/// Runs a command that must succeed; throws Error with its output otherwise.
inline void run_checked(BootCommands& commands, std::vector<std::string> argv, std::ostream& out) {
  fs::path program = commands.locate(argv[0]);
  if (program.empty()) throw Error(argv[0] + ": not found on this machine");
  std::string shown = join(argv, " ");
  argv[0] = program.string();
  RunResult result = commands.run(argv);
  if (!result.ok())
    throw Error(shown + " failed (" + result.describe() + ")" +
                (result.output.empty() ? "" : ":\n" + std::string(trim(result.output))));
  out << "dkmadmin: ran " << shown << "\n";
}

/// The file a service of `init` is written to, as the booted system sees it.
inline fs::path service_file(InitSystem init, const std::string& service) {
  return init == InitSystem::systemd ? systemd_unit_path(service) : sysv_script_path(service);
}

/// The runlevel links of a SysV service that exist under `root`.
inline std::vector<fs::path> present_runlevel_links(const fs::path& root, const std::string& service) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (char level : std::string("0123456S")) {
    fs::path dir = under_root(root, fs::path(std::string("/etc/rc") + level + ".d"));
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.size() == service.size() + 3 && (name[0] == 'S' || name[0] == 'K') && name.substr(3) == service)
        found.push_back(entry.path());
    }
  }
  return found;
}

}  // namespace boot_detail

/// Checks the install and the options and works out what the boot service starts.
/// Throws UsageError (nothing written) for a bad name, a directory without an install,
/// an unknown account, or an install owned by root without --user.
inline BootTarget plan_boot_target(const InstallLayout& layout, const BootOptions& options) {
  using namespace boot_detail;
  validate_instance_name(options.instance);
  const fs::path& dir = layout.root();
  if (!layout.holds_install())
    throw UsageError(dir.string() + ": holds no dkumonitor install (" + layout.env_file().string() +
                     " is missing); pass -d DIR of an install made by the installer");
  fs::path dkm_binary = layout.bin() / "dkm";
  if (::access(dkm_binary.c_str(), X_OK) != 0)
    throw UsageError(dkm_binary.string() + ": missing or not executable; the install is incomplete (run installer -u -d " +
                     dir.string() + ")");
  check_bootable_path(dir, "install directory");

  BootTarget target;
  target.instance = options.instance;
  target.home = seen_from_root(options.root, dir);

  std::optional<Account> account;
  if (!options.user.empty()) {
    account = find_account(options.root, &options.user, 0);
    if (!account)
      throw UsageError("--user " + options.user + ": no such account" +
                       (options.root == "/" ? std::string() : " (looked in " + (options.root / "etc/passwd").string() +
                                                                  " or on this machine)"));
  } else {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) throw Error(dir.string() + ": cannot stat: " + errno_text());
    account = find_account(options.root, nullptr, st.st_uid);
    if (!account)
      throw UsageError(dir.string() + " is owned by uid " + std::to_string(st.st_uid) +
                       ", which has no account; pass --user USER");
    if (account->uid == 0)
      throw UsageError(dir.string() + " is owned by root, and dkm does not run as root: give it to a service account "
                       "(chown -R USER " + shell_quote(dir.string()) + ") or pass --user USER (--user root runs "
                       "dkm as root anyway)");
  }
  target.user = account->name;
  target.uid = account->uid;
  target.run_as_root = account->uid == 0;

  // The sandbox makes everything read-only but these: DIR, and the directories dkm
  // writes when they are links to elsewhere (storage on a data disk, say).
  target.writable.push_back(target.home);
  fs::path real_dir = resolved(dir);
  std::vector<fs::path> seen_paths{target.home, seen_from_root(options.root, real_dir)};
  for (const fs::path& sub : {layout.run(), layout.storage(), layout.conf()}) {
    fs::path real = resolved(sub);
    fs::path rel = real.lexically_relative(real_dir);
    if (!rel.empty() && *rel.begin() != "..") continue;
    fs::path seen = seen_from_root(options.root, real);
    check_bootable_path(seen, sub.string() + " (a link) leads to");
    target.writable.push_back(seen);
    seen_paths.push_back(seen);
  }
  // The bundle (where bin/dkm points) is read; ProtectHome=yes would hide it in /home.
  seen_paths.push_back(seen_from_root(options.root, resolved(dkm_binary)));
  auto env = parse_env_file(read_file(layout.env_file()), layout.env_file().string());
  if (auto bundle = env.find("DKM_BUNDLE"); bundle != env.end() && !bundle->second.empty())
    seen_paths.push_back(seen_from_root(options.root, resolved(bundle->second)));
  target.under_home = std::any_of(seen_paths.begin(), seen_paths.end(), in_home_area);
  target.under_tmp = std::any_of(seen_paths.begin(), seen_paths.end(), in_tmp_area);
  return target;
}

/// The directories of `layout` that dkm writes but `uid` does not own (dkm would fail
/// at boot there), as a warning to print; empty when there is none.
inline std::string ownership_warning(const InstallLayout& layout, uid_t uid, const std::string& user) {
  std::vector<std::string> foreign;
  for (const fs::path& dir : {layout.root(), layout.run(), layout.storage()}) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && st.st_uid != uid && uid != 0) foreign.push_back(dir.string());
  }
  if (foreign.empty()) return {};
  return "warning: " + user + " does not own " + join(foreign, ", ") + ", where dkm writes its pid file, logs and data; "
         "give the install to it: chown -R " + user + " " + shell_quote(layout.root().string());
}

/// Disables and removes what `record` lists, then the record, then the directories it
/// created that are now empty. Directories still in use by another instance are handed
/// over to that instance's record, so the last uninstall removes them.
inline void remove_boot_service(const BootRecord& record, const BootOptions& options, BootCommands& commands,
                                std::ostream& out) {
  using namespace boot_detail;
  const fs::path& root = options.root;
  std::error_code ec;
  // Disable first: systemctl disable and chkconfig --del read the file being removed.
  switch (record.enabled_by) {
    case EnableMethod::systemctl:
      if (!options.offline) run_checked(commands, {"systemctl", "disable", record.service + ".service"}, out);
      break;
    case EnableMethod::update_rc_d:
      if (!options.offline) run_checked(commands, {"update-rc.d", "-f", record.service, "remove"}, out);
      break;
    case EnableMethod::chkconfig:
      if (!options.offline) run_checked(commands, {"chkconfig", "--del", record.service}, out);
      break;
    case EnableMethod::links:
    case EnableMethod::none:
      break;
  }
  for (const auto& link : record.links) {
    fs::path host = under_root(root, link);
    if (fs::is_symlink(host, ec) && fs::remove(host, ec)) out << "dkmadmin: removed " << host.string() << "\n";
  }
  for (const auto& file : record.files) {
    fs::path host = under_root(root, file);
    if (fs::is_regular_file(fs::symlink_status(host, ec)) && fs::remove(host, ec))
      out << "dkmadmin: removed " << host.string() << "\n";
  }
  if (record.init == InitSystem::systemd && record.enabled_by == EnableMethod::systemctl && !options.offline)
    run_checked(commands, {"systemctl", "daemon-reload"}, out);
  fs::path record_file = under_root(root, boot_record_path(record.service));
  if (!fs::remove(record_file, ec) && ec) throw Error(record_file.string() + ": cannot remove: " + ec.message());

  std::vector<fs::path> kept;
  for (auto it = record.created_dirs.rbegin(); it != record.created_dirs.rend(); ++it) {
    fs::path host = under_root(root, *it);
    if (!fs::is_directory(fs::symlink_status(host, ec))) continue;
    if (fs::is_empty(host, ec) && fs::remove(host, ec)) continue;
    kept.push_back(*it);
  }
  if (kept.empty()) return;
  for (BootRecord other : list_boot_records(root)) {
    merge_dirs(other.created_dirs, kept);
    write_boot_record(root, other);
  }
}

/// Writes, records and enables the boot service of `layout`; returns its record.
/// Bad input (see plan_boot_target, plus a name taken by another install without
/// --force, a missing --root, no privileges) throws UsageError before anything is written.
inline BootRecord install_boot(const InstallLayout& layout, const BootOptions& options, BootCommands& commands,
                               std::ostream& out) {
  using namespace boot_detail;
  require_boot_privileges(options, "install-boot");
  std::error_code ec;
  if (!fs::is_directory(options.root, ec))
    throw UsageError("--root " + options.root.string() + ": no such directory");
  BootTarget target = plan_boot_target(layout, options);
  if (std::string warning = ownership_warning(layout, target.uid, target.user); !warning.empty())
    out << "dkmadmin: " << warning << "\n";
  InitSystem init = options.init ? *options.init : detect_init_system(options.root);
  const std::string service = target.service();
  const fs::path file = service_file(init, service);
  const fs::path host_file = under_root(options.root, file);

  std::optional<BootRecord> previous = read_boot_record(options.root, service);
  // An install migrated from the original dkumonitor may still have the original's service.
  OriginalBootTakeover originals(find_original_boot_services(options.root, target.home), service, options.force);
  const std::string replace_hint = "; pass --force to replace it, or choose another --name";
  if (previous && previous->home != target.home && !options.force)
    throw UsageError(service + " is already installed for " + previous->home.string() + " (" +
                     under_root(options.root, boot_record_path(service)).string() + ")" + replace_hint);
  if (!previous && fs::exists(fs::symlink_status(host_file, ec)) && !options.force &&
      !originals.replaces(options.root, host_file)) {
    fs::path home = fs::is_regular_file(host_file, ec) ? marked_home(read_file(host_file)) : fs::path();
    if (home != target.home)
      throw UsageError(host_file.string() + " already exists and " +
                       (home.empty() ? std::string("was not written by dkmadmin") : "starts the install in " + home.string()) +
                       replace_hint);
  }

  EnableMethod method = EnableMethod::links;
  if (!options.offline) {
    if (init == InitSystem::systemd) method = EnableMethod::systemctl;
    else if (!commands.locate("update-rc.d").empty()) method = EnableMethod::update_rc_d;
    else if (!commands.locate("chkconfig").empty()) method = EnableMethod::chkconfig;
    else method = EnableMethod::none;
  }
  // Written for another init system or enabled another way: take the old one away first.
  if (previous && (previous->init != init || previous->enabled_by != method)) {
    out << "dkmadmin: replacing " << service << " (" << to_string(previous->init) << ", " << to_string(previous->enabled_by)
        << ")\n";
    remove_boot_service(*previous, options, commands, out);
    previous.reset();
  }

  BootRecord record;
  record.service = service;
  record.instance = options.instance;
  record.init = init;
  record.home = target.home;
  record.user = target.user;
  record.files = {file};
  record.enabled_by = method;
  record.written_by = options.written_by;
  std::vector<std::pair<fs::path, fs::path>> links;
  if (method == EnableMethod::links) {
    if (init == InitSystem::systemd) links.emplace_back(systemd_wants_link(service), systemd_unit_path(service));
    else links = sysv_runlevel_links(service);
  }
  std::vector<fs::path> needed_dirs{file.parent_path(), boot_records_dir()};
  for (const auto& [link, text] : links) {
    record.links.push_back(link);
    needed_dirs.push_back(link.parent_path());
  }
  record.created_dirs = missing_dirs(options.root, needed_dirs);
  if (previous) merge_dirs(record.created_dirs, previous->created_dirs);

  try {
    originals.take_away(options, commands, out);
    for (const auto& dir : record.created_dirs) {
      fs::path host = under_root(options.root, dir);
      if (fs::exists(host, ec)) continue;
      if (!fs::create_directory(host, ec) && ec) throw Error(host.string() + ": cannot create directory: " + ec.message());
      fs::permissions(host, fs::perms(0755), ec);
    }
    // The record goes first: whatever happens next, uninstall-boot can clean it up.
    write_boot_record(options.root, record);
    if (init == InitSystem::systemd) write_file_atomic(host_file, render_systemd_unit(target), 0644);
    else write_file_atomic(host_file, render_sysv_script(target), 0755);
    out << "dkmadmin: wrote " << host_file.string() << " (" << to_string(init) << ", runs dkm as " << target.user
        << " for " << target.home.string() << ")\n";
    for (const auto& [link, text] : links) {
      fs::path host = under_root(options.root, link);
      if (fs::is_symlink(host, ec)) fs::remove(host, ec);
      fs::create_symlink(text, host, ec);
      if (ec) throw Error(host.string() + ": cannot create link: " + ec.message());
    }
    if (!links.empty()) out << "dkmadmin: enabled with " << links.size() << " link(s) under " << options.root.string() << "\n";
    switch (method) {
      case EnableMethod::systemctl:
        run_checked(commands, {"systemctl", "daemon-reload"}, out);
        run_checked(commands, {"systemctl", "enable", service + ".service"}, out);
        break;
      case EnableMethod::update_rc_d:
        run_checked(commands, {"update-rc.d", service, "defaults"}, out);
        break;
      case EnableMethod::chkconfig:
        run_checked(commands, {"chkconfig", "--add", service}, out);
        break;
      case EnableMethod::none:
        out << "dkmadmin: warning: neither update-rc.d nor chkconfig is here: " << host_file.string()
            << " is installed but not enabled; link it into your runlevel directories\n";
        break;
      case EnableMethod::links:
        break;
    }
  } catch (const Error&) {
    // A fresh install that failed half-way takes back what it did; a reinstall keeps its
    // record, which lists everything, for uninstall-boot.
    if (!previous) {
      BootOptions quiet = options;
      quiet.offline = true;  // what it enabled through a command failed or never ran
      std::ostringstream ignored;
      try {
        remove_boot_service(record, quiet, commands, ignored);
      } catch (const Error&) {
      }
    }
    originals.restore(options, commands);
    throw;
  }
  originals.finish(options, out);
  if (!options.offline) {
    out << "dkmadmin: " << service << " starts at boot; start it now with: "
        << (init == InitSystem::systemd ? "systemctl start " + service : sysv_script_path(service).string() + " start")
        << " (stop a dkm started by hand first: " << shell_quote(target.dkm().string()) << " stop)\n";
  }
  return record;
}

/// Disables and removes the boot service named by `options.instance`. `layout`, when
/// known, must be the install the service starts (unless --force). Returns false when
/// no such service is installed (nothing to do).
inline bool uninstall_boot(const std::optional<InstallLayout>& layout, const BootOptions& options,
                           BootCommands& commands, std::ostream& out) {
  using namespace boot_detail;
  require_boot_privileges(options, "uninstall-boot");
  validate_instance_name(options.instance);
  std::error_code ec;
  if (!fs::is_directory(options.root, ec))
    throw UsageError("--root " + options.root.string() + ": no such directory");
  const std::string service = boot_service_name(options.instance);
  std::optional<BootRecord> record = read_boot_record(options.root, service);
  if (!record) {
    for (InitSystem init : {InitSystem::systemd, InitSystem::sysv}) {
      fs::path host = under_root(options.root, service_file(init, service));
      if (fs::exists(fs::symlink_status(host, ec)))
        throw UsageError(host.string() + " exists but dkmadmin has no record of writing it (" +
                         under_root(options.root, boot_record_path(service)).string() + "); left as is");
    }
    out << "dkmadmin: no boot service " << service << " is installed; nothing to do\n";
    return false;
  }
  if (layout && !options.force) {
    fs::path home = seen_from_root(options.root, layout->root());
    if (home != record->home)
      throw UsageError(service + " starts the install in " + record->home.string() + ", not " + home.string() +
                       ": run " + shell_quote((record->home / "bin/dkmadmin").string()) + " uninstall-boot" +
                       (options.instance.empty() ? "" : " --name " + options.instance) + ", or pass --force");
  }
  remove_boot_service(*record, options, commands, out);
  out << "dkmadmin: " << service << " no longer starts at boot";
  if (!options.offline)
    out << " (services running now are left running; stop them with " << shell_quote((record->home / "bin/dkm").string())
        << " stop)";
  out << "\n";
  return true;
}

/// Status of boot services: installed and complete, none installed, or installed with parts missing.
enum BootStatus : int { kBootInstalled = 0, kBootBroken = 1, kBootNotInstalled = 3 };

/// Prints what is installed for `layout` (or, with a name, for that instance) and
/// returns a BootStatus.
inline int status_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                       std::ostream& out) {
  using namespace boot_detail;
  validate_instance_name(options.instance);
  std::optional<fs::path> home;
  if (layout) home = seen_from_root(options.root, layout->root());
  bool by_name = !options.instance.empty() || !layout;
  std::vector<BootRecord> shown;
  for (auto& record : list_boot_records(options.root)) {
    if (by_name ? record.instance == options.instance : record.home == *home) shown.push_back(record);
  }
  if (shown.empty()) {
    // The original dkumonitor's service of a migrated install: told apart (it has no record).
    std::string originals = home ? describe_original_boot_services(find_original_boot_services(options.root, *home),
                                                                   options.root, options.instance, by_name)
                                 : "";
    out << originals;
    if (!originals.empty()) return kBootBroken;
    out << (by_name ? "no boot service " + boot_service_name(options.instance) + " is installed"
                    : "no boot service is installed for " + home->string())
        << "\n";
    return kBootNotInstalled;
  }
  bool complete = true;
  std::error_code ec;
  for (const auto& record : shown) {
    out << record.service << ": " << (record.init == InitSystem::systemd ? "systemd unit " : "SysV init script ")
        << under_root(options.root, record.files.front()).string() << ", runs dkm as " << record.user << " for "
        << record.home.string() << "\n";
    for (const auto& path : record.files)
      if (!fs::exists(under_root(options.root, path), ec)) {
        out << "  missing: " << under_root(options.root, path).string() << "\n";
        complete = false;
      }
    std::string enabled;
    switch (record.enabled_by) {
      case EnableMethod::links: {
        size_t present = 0;
        for (const auto& link : record.links) present += fs::is_symlink(under_root(options.root, link), ec);
        enabled = present == record.links.size() ? "yes (links)" : "partly: " + std::to_string(present) + " of " +
                                                                     std::to_string(record.links.size()) + " links";
        complete = complete && present == record.links.size();
        break;
      }
      case EnableMethod::systemctl: {
        fs::path systemctl = commands.locate("systemctl");
        if (!options.offline && !systemctl.empty() && fs::is_directory("/run/systemd/system", ec)) {
          auto is_enabled = commands.run({systemctl.string(), "is-enabled", record.service + ".service"});
          auto is_active = commands.run({systemctl.string(), "is-active", record.service + ".service"});
          enabled = std::string(trim(is_enabled.output)) + " (systemctl), " + std::string(trim(is_active.output)) + " now";
        } else {
          enabled = fs::is_symlink(under_root(options.root, systemd_wants_link(record.service)), ec) ? "yes (systemctl)"
                                                                                                    : "no";
        }
        break;
      }
      case EnableMethod::update_rc_d:
      case EnableMethod::chkconfig:
        enabled = present_runlevel_links(options.root, record.service).empty() ? "no"
                                                                                : "yes (" + to_string(record.enabled_by) + ")";
        break;
      case EnableMethod::none:
        enabled = "no (neither update-rc.d nor chkconfig was found)";
        break;
    }
    out << "  enabled: " << enabled << "\n";
    if (home && record.home != *home) out << "  note: this instance belongs to another install\n";
  }
  return complete ? kBootInstalled : kBootBroken;
}

}  // namespace dkm::runtime

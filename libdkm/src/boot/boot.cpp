// dkmadmin's work: install-boot and uninstall-boot for one install (status-boot is
// status_boot.cpp's).
#include <dkm/boot/boot.hpp>

#include <dkm/boot/init_system.hpp>
#include <dkm/boot/original_boot.hpp>
#include <dkm/boot/record.hpp>
#include <dkm/boot/target.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include "systemd.hpp"
#include "sysv.hpp"

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

namespace dkm::boot {

fs::path SystemBootCommands::locate(const std::string& program) {
  const char* path = std::getenv("PATH");
  return search_path(program, std::string(path ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/bin:/bin");
}

void require_boot_privileges(const BootOptions& options, const std::string& command) {
  if (options.offline || ::geteuid() == 0) return;
  throw UsageError(command + " must run as root: it writes under /etc and runs systemctl, update-rc.d or "
                   "chkconfig. Run it with sudo, or pass --root PATH to write into another root (an image)");
}

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

fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(path, ec);
  return ec ? path : out;
}

std::vector<fs::path> missing_dirs(const fs::path& root, const std::vector<fs::path>& dirs) {
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

void merge_dirs(std::vector<fs::path>& list, const std::vector<fs::path>& more) {
  std::set<std::string> all;
  for (const auto& p : list) all.insert(p.string());
  for (const auto& p : more) all.insert(p.string());
  list.assign(all.begin(), all.end());
}

fs::path service_file(InitSystem init, const std::string& service) {
  return init == InitSystem::systemd ? systemd_unit_path(service) : sysv_script_path(service);
}


}  // namespace

void run_checked(BootCommands& commands, std::vector<std::string> argv, std::ostream& out) {
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

BootTarget plan_boot_target(const InstallLayout& layout, const BootOptions& options) {
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

void remove_boot_service(const BootRecord& record, const BootOptions& options, BootCommands& commands,
                                std::ostream& out) {
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

namespace {

/// Refuses (UsageError, nothing written) a service name another install uses, unless --force.
void check_name_free(const std::optional<BootRecord>& previous, const BootTarget& target, const fs::path& host_file,
                     const BootOptions& options, const OriginalBootTakeover& originals) {
  const std::string service = target.service();
  const std::string replace_hint = "; pass --force to replace it, or choose another --name";
  std::error_code ec;
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
}

/// How the service is enabled: links under --root, else systemctl, update-rc.d or chkconfig.
EnableMethod choose_enable_method(InitSystem init, const BootOptions& options, BootCommands& commands) {
  if (options.offline) return EnableMethod::links;
  if (init == InitSystem::systemd) return EnableMethod::systemctl;
  if (!commands.locate("update-rc.d").empty()) return EnableMethod::update_rc_d;
  if (!commands.locate("chkconfig").empty()) return EnableMethod::chkconfig;
  return EnableMethod::none;
}

/// The record of what install-boot will write, and the links it makes (link, target).
BootRecord plan_record(const BootTarget& target, InitSystem init, EnableMethod method, const BootOptions& options,
                       std::vector<std::pair<fs::path, fs::path>>& links) {
  BootRecord record;
  record.service = target.service();
  record.instance = options.instance;
  record.init = init;
  record.home = target.home;
  record.user = target.user;
  record.files = {service_file(init, record.service)};
  record.enabled_by = method;
  record.written_by = options.written_by;
  if (method == EnableMethod::links) {
    if (init == InitSystem::systemd) links.emplace_back(systemd_wants_link(record.service), systemd_unit_path(record.service));
    else links = sysv_runlevel_links(record.service);
  }
  std::vector<fs::path> needed_dirs{record.files.front().parent_path(), boot_records_dir()};
  for (const auto& [link, text] : links) {
    record.links.push_back(link);
    needed_dirs.push_back(link.parent_path());
  }
  record.created_dirs = missing_dirs(options.root, needed_dirs);
  return record;
}

/// Creates the directories, the record, the unit or script and the links of `record`.
void write_boot_service(const BootRecord& record, const BootTarget& target,
                        const std::vector<std::pair<fs::path, fs::path>>& links, const BootOptions& options,
                        std::ostream& out) {
  std::error_code ec;
  for (const auto& dir : record.created_dirs) {
    fs::path host = under_root(options.root, dir);
    if (fs::exists(host, ec)) continue;
    if (!fs::create_directory(host, ec) && ec) throw Error(host.string() + ": cannot create directory: " + ec.message());
    fs::permissions(host, fs::perms(0755), ec);
  }
  // The record goes first: whatever happens next, uninstall-boot can clean it up.
  write_boot_record(options.root, record);
  const fs::path host_file = under_root(options.root, record.files.front());
  if (record.init == InitSystem::systemd) write_file_atomic(host_file, render_systemd_unit(target), 0644);
  else write_file_atomic(host_file, render_sysv_script(target), 0755);
  out << "dkmadmin: wrote " << host_file.string() << " (" << to_string(record.init) << ", runs dkm as " << target.user
      << " for " << target.home.string() << ")\n";
  for (const auto& [link, text] : links) {
    fs::path host = under_root(options.root, link);
    if (fs::exists(fs::symlink_status(host, ec)) && !fs::is_symlink(fs::symlink_status(host, ec)))
      throw Error(host.string() + ": cannot create link: it exists and is not a link");
    replace_symlink(host, text);
  }
  if (!links.empty()) out << "dkmadmin: enabled with " << links.size() << " link(s) under " << options.root.string() << "\n";
}

/// Enables the written service with the init system's own command.
void enable_boot_service(const BootRecord& record, BootCommands& commands, std::ostream& out) {
  const std::string& service = record.service;
  switch (record.enabled_by) {
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
      out << "dkmadmin: warning: neither update-rc.d nor chkconfig is here: " << record.files.front().string()
          << " is installed but not enabled; link it into your runlevel directories\n";
      break;
    case EnableMethod::links:
      break;
  }
}

}  // namespace

BootRecord install_boot(const InstallLayout& layout, const BootOptions& options, BootCommands& commands,
                        std::ostream& out) {
  require_boot_privileges(options, "install-boot");
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) throw UsageError("--root " + options.root.string() + ": no such directory");
  BootTarget target = plan_boot_target(layout, options);
  if (std::string warning = ownership_warning(layout, target.uid, target.user); !warning.empty())
    out << "dkmadmin: " << warning << "\n";
  InitSystem init = options.init ? *options.init : detect_init_system(options.root);
  const std::string service = target.service();
  std::optional<BootRecord> previous = read_boot_record(options.root, service);
  // An install migrated from the original dkumonitor may still have the original's service.
  OriginalBootTakeover originals(find_original_boot_services(options.root, target.home), service, options.force);
  check_name_free(previous, target, under_root(options.root, service_file(init, service)), options, originals);
  EnableMethod method = choose_enable_method(init, options, commands);
  // Written for another init system or enabled another way: take the old one away first.
  if (previous && (previous->init != init || previous->enabled_by != method)) {
    out << "dkmadmin: replacing " << service << " (" << to_string(previous->init) << ", " << to_string(previous->enabled_by)
        << ")\n";
    remove_boot_service(*previous, options, commands, out);
    previous.reset();
  }
  std::vector<std::pair<fs::path, fs::path>> links;
  BootRecord record = plan_record(target, init, method, options, links);
  if (previous) merge_dirs(record.created_dirs, previous->created_dirs);
  try {
    originals.take_away(options, commands, out);
    write_boot_service(record, target, links, options, out);
    enable_boot_service(record, commands, out);
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
  if (!options.offline)
    out << "dkmadmin: " << service << " starts at boot; start it now with: "
        << (init == InitSystem::systemd ? "systemctl start " + service : sysv_script_path(service).string() + " start")
        << " (stop a dkm started by hand first: " << shell_quote(target.dkm().string()) << " stop)\n";
  return record;
}

bool uninstall_boot(const std::optional<InstallLayout>& layout, const BootOptions& options,
                           BootCommands& commands, std::ostream& out) {
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

}  // namespace dkm::boot

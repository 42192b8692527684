// install-boot: checks everything, then writes the record, the unit or script and the
// links, resolved inside --root, and enables the service.
#include <dkm/boot/boot.hpp>

#include "image_root.hpp"
#include "systemd.hpp"
#include "sysv.hpp"

#include <dkm/boot/original_boot.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace dkm::boot {

namespace {

/// Refuses (UsageError, nothing written) a service name another install uses, unless --force.
void check_name_free(const std::optional<BootRecord>& previous, const InstallLayout& layout, const ImageRoot& image,
                     const fs::path& file, const BootOptions& options, const OriginalBootTakeover& originals) {
  const std::string service = boot_service_name(options.instance);
  const std::string replace_hint = "; pass --force to replace it, or choose another --name";
  if (options.force) return;
  if (previous && !names_install(previous->home, options.root, layout))
    throw UsageError(service + " is already installed for " + previous->home.string() + " (" +
                     image.host(boot_record_path(service)).string() + ")" + replace_hint);
  if (previous || !image.status(file) || originals.replaces(options.root, image.host(file))) return;
  std::optional<std::string> text = image.read_file(file);
  fs::path home = text ? marked_home(*text) : fs::path();
  if (home.empty() || !names_install(home, options.root, layout))
    throw UsageError(image.host(file).string() + " already exists and " +
                     (home.empty() ? std::string("was not written by dkmadmin") : "starts the install in " + home.string()) +
                     replace_hint);
}

/// How the service is enabled: links under --root, else systemctl, update-rc.d or chkconfig.
EnableMethod choose_enable_method(InitSystem init, const BootOptions& options, BootCommands& commands) {
  if (options.offline) return EnableMethod::links;
  if (init == InitSystem::systemd) return EnableMethod::systemctl;
  if (!commands.locate("update-rc.d").empty()) return EnableMethod::update_rc_d;
  if (!commands.locate("chkconfig").empty()) return EnableMethod::chkconfig;
  return EnableMethod::none;
}

/// The record of what install-boot will write: the unit or script holding `text`, the
/// links it makes itself, the directories it creates (checked inside the root here).
BootRecord plan_record(const BootTarget& target, InitSystem init, EnableMethod method, const BootOptions& options,
                       const ImageRoot& image, const std::string& text) {
  BootRecord record;
  record.service = target.service();
  record.instance = options.instance;
  record.init = init;
  record.home = target.home;
  record.user = target.user;
  record.enabled_by = method;
  record.written_by = options.written_by;
  note_written_file(record, service_file(init, record.service), text);
  std::vector<fs::path> needed_dirs{record.files.front().parent_path(), boot_records_dir()};
  if (method == EnableMethod::links)
    for (const auto& [link, link_text] : service_links(init, record.service)) {
      note_made_link(record, link, link_text);
      needed_dirs.push_back(link.parent_path());
    }
  record.created_dirs = image.missing_dirs(needed_dirs);
  return record;
}

/// Creates the directories, the record, the unit or script (`text`) and the links of `record`.
void write_boot_service(const BootRecord& record, const std::string& text, const ImageRoot& image, std::ostream& out) {
  for (const auto& dir : record.created_dirs)
    if (!image.open_dir(dir)) image.make_dir(dir);
  // The record goes first: whatever happens next, uninstall-boot can clean it up.
  write_boot_record(image.root(), record);
  const fs::path& file = record.files.front();
  image.write_file(file, text, record.init == InitSystem::systemd ? 0644 : 0755);
  out << "dkmadmin: wrote " << image.host(file).string() << " (" << to_string(record.init) << ", runs dkm as "
      << record.user << " for " << record.home.string() << ")\n";
  for (const auto& [link, target] : record.link_targets) {
    auto st = image.status(link);
    if (st && !S_ISLNK(st->st_mode))
      throw Error(image.host(link).string() + ": cannot create link: it exists and is not a link");
    image.replace_symlink(link, target);
  }
  if (!record.link_targets.empty())
    out << "dkmadmin: enabled with " << record.link_targets.size() << " link(s) under " << image.root().string() << "\n";
}

/// Enables the written service with the init system's own command.
void enable_boot_service(const BootRecord& record, BootCommands& commands, std::ostream& out) {
  const std::string& service = record.service;
  switch (record.enabled_by) {
    case EnableMethod::systemctl:
      run_checked(commands, {"systemctl", "daemon-reload"}, out);
      run_checked(commands, {"systemctl", "enable", service + ".service"}, out);
      break;
    case EnableMethod::update_rc_d: run_checked(commands, {"update-rc.d", service, "defaults"}, out); break;
    case EnableMethod::chkconfig: run_checked(commands, {"chkconfig", "--add", service}, out); break;
    case EnableMethod::none:
      out << "dkmadmin: warning: neither update-rc.d nor chkconfig is here: " << record.files.front().string()
          << " is installed but not enabled; link it into your runlevel directories\n";
      break;
    case EnableMethod::links: break;
  }
}

/// The warnings install-boot prints before it writes: directories the account does not
/// own, and another account's install run as root (--user root --force).
void warn_about_target(const InstallLayout& layout, const BootTarget& target, std::ostream& out) {
  if (std::string warning = ownership_warning(layout, target.uid, target.user); !warning.empty())
    out << "dkmadmin: " << warning << "\n";
  if (target.run_as_root && target.install_owner != target.user)
    out << "dkmadmin: warning: --force: the boot service runs " << target.install_owner << "'s install as root; dkm "
        << "refuses to start an install another account owns until it is root's: chown -R root "
        << shell_quote(target.home.string()) << "\n";
}

/// Writes and enables the service; a fresh install that fails half-way takes back what it did.
void put_boot_service(const BootRecord& record, const std::string& text, bool reinstall, const ImageRoot& image,
                      const BootOptions& options, BootCommands& commands, OriginalBootTakeover& originals,
                      std::ostream& out) {
  try {
    originals.take_away(options, commands, out);
    write_boot_service(record, text, image, out);
    enable_boot_service(record, commands, out);
  } catch (const Error&) {
    // A reinstall keeps its record, which lists everything, for uninstall-boot.
    if (!reinstall) {
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
}

}  // namespace

BootRecord install_boot(const InstallLayout& layout, const BootOptions& options, BootCommands& commands,
                        std::ostream& out) {
  require_boot_privileges(options, "install-boot");
  ImageRoot image(options.root);
  BootTarget target = plan_boot_target(layout, options);
  InitSystem init = options.init ? *options.init : detect_init_system(options.root);
  if (init == InitSystem::systemd) check_systemd_program(target.dkm(), "install directory " + target.home.string());
  warn_about_target(layout, target, out);
  const std::string service = target.service();
  std::optional<BootRecord> previous = read_boot_record(options.root, service);
  // An install migrated from the original dkumonitor may still have the original's service.
  OriginalBootTakeover originals(find_original_boot_services(options.root, target.home), service, options.force);
  check_name_free(previous, layout, image, service_file(init, service), options, originals);
  EnableMethod method = choose_enable_method(init, options, commands);
  // Written for another init system or enabled another way: take the old one away first.
  if (previous && (previous->init != init || previous->enabled_by != method)) {
    out << "dkmadmin: replacing " << service << " (" << to_string(previous->init) << ", " << to_string(previous->enabled_by)
        << ")\n";
    remove_boot_service(*previous, options, commands, out);
    previous.reset();
  }
  std::string text = init == InitSystem::systemd ? render_systemd_unit(target) : render_sysv_script(target);
  BootRecord record = plan_record(target, init, method, options, image, text);
  if (previous) merge_created_dirs(record.created_dirs, previous->created_dirs);
  put_boot_service(record, text, previous.has_value(), image, options, commands, originals, out);
  if (!options.offline)
    out << "dkmadmin: " << service << " starts at boot; start it now with: "
        << (init == InitSystem::systemd ? "systemctl start " + service : sysv_script_path(service).string() + " start")
        << " (stop a dkm started by hand first: " << shell_quote(target.dkm().string()) << " stop)\n";
  return record;
}

}  // namespace dkm::boot

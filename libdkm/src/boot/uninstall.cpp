// uninstall-boot: what install-boot wrote goes, as it wrote it; nothing else.
#include <dkm/boot/uninstall.hpp>

#include "image_root.hpp"

#include <dkm/boot/plan_target.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <string>
#include <vector>

namespace dkm::boot {

namespace {

/// Disables the service the way it was enabled (systemctl disable and chkconfig --del
/// read the file about to be removed).
void disable_boot_service(const BootRecord& record, const BootOptions& options, BootCommands& commands,
                          std::ostream& out) {
  if (options.offline) return;
  switch (record.enabled_by) {
    case EnableMethod::systemctl: run_checked(commands, {"systemctl", "disable", record.service + ".service"}, out); break;
    case EnableMethod::update_rc_d: run_checked(commands, {"update-rc.d", "-f", record.service, "remove"}, out); break;
    case EnableMethod::chkconfig: run_checked(commands, {"chkconfig", "--del", record.service}, out); break;
    case EnableMethod::links:
    case EnableMethod::none: break;
  }
}

/// Removes the record's links and files that are as install-boot made them; names the others.
void remove_written(const BootRecord& record, const ImageRoot& image, std::ostream& out) {
  for (const auto& link : record.links) {
    std::optional<fs::path> text = image.read_symlink(link);
    if (!text) continue;
    if (link_as_written(record, link, *text) && image.remove(link))
      out << "dkmadmin: removed " << image.host(link).string() << "\n";
    else
      out << "dkmadmin: warning: left " << image.host(link).string() << " (-> " << text->string()
          << "): not a link install-boot made for " << record.service << "\n";
  }
  for (const auto& file : record.files) {
    if (!image.status(file)) continue;
    std::optional<std::string> content = image.read_file(file);
    if (content && file_as_written(record, file, *content) && image.remove(file))
      out << "dkmadmin: removed " << image.host(file).string() << "\n";
    else
      out << "dkmadmin: warning: left " << image.host(file).string() << ": not what install-boot wrote for "
          << record.service << " (changed since, or another file); remove it yourself if nothing needs it\n";
  }
}

}  // namespace

void remove_boot_service(const BootRecord& record, const BootOptions& options, BootCommands& commands,
                         std::ostream& out) {
  ImageRoot image(options.root);
  disable_boot_service(record, options, commands, out);
  remove_written(record, image, out);
  if (record.init == InitSystem::systemd && record.enabled_by == EnableMethod::systemctl && !options.offline)
    run_checked(commands, {"systemctl", "daemon-reload"}, out);
  image.remove(boot_record_path(record.service));

  std::vector<fs::path> kept;
  for (auto it = record.created_dirs.rbegin(); it != record.created_dirs.rend(); ++it) {
    auto st = image.status(*it);
    if (!st || !S_ISDIR(st->st_mode) || image.remove_empty_dir(*it)) continue;
    kept.push_back(*it);
  }
  if (kept.empty()) return;
  for (BootRecord other : list_boot_records(options.root)) {
    merge_created_dirs(other.created_dirs, kept);
    write_boot_record(options.root, other);
  }
}

bool uninstall_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                    std::ostream& out) {
  require_boot_privileges(options, "uninstall-boot");
  validate_instance_name(options.instance);
  ImageRoot image(options.root);
  const std::string service = boot_service_name(options.instance);
  std::optional<BootRecord> record = read_boot_record(options.root, service);
  if (!record) {
    for (InitSystem init : {InitSystem::systemd, InitSystem::sysv})
      if (image.status(service_file(init, service)))
        throw UsageError(image.host(service_file(init, service)).string() + " exists but dkmadmin has no record of "
                         "writing it (" + image.host(boot_record_path(service)).string() + "); left as is");
    out << "dkmadmin: no boot service " << service << " is installed; nothing to do\n";
    return false;
  }
  if (layout && !options.force && !names_install(record->home, options.root, *layout))
    throw UsageError(service + " starts the install in " + record->home.string() + ", not " +
                     install_home(options.root, *layout).string() + ": run " +
                     shell_quote((record->home / "bin/dkmadmin").string()) + " uninstall-boot" +
                     (options.instance.empty() ? "" : " --name " + options.instance) + ", or pass --force");
  remove_boot_service(*record, options, commands, out);
  out << "dkmadmin: " << service << " no longer starts at boot";
  if (!options.offline)
    out << " (services running now are left running; stop them with " << shell_quote((record->home / "bin/dkm").string())
        << " stop)";
  out << "\n";
  return true;
}

}  // namespace dkm::boot

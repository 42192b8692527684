// status-boot: what is installed to start an install at boot.
#include <dkm/boot/status.hpp>

#include "systemd.hpp"

#include <dkm/boot/original_boot.hpp>
#include <dkm/boot/plan_target.hpp>
#include <dkm/boot/record.hpp>
#include <dkm/core/strings.hpp>

#include <string>
#include <vector>

namespace dkm::boot {

namespace {

/// The runlevel links of `service` that update-rc.d or chkconfig made under `root`.
std::vector<fs::path> present_runlevel_links(const fs::path& root, const std::string& service) {
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

/// Whether `record`'s service is enabled, for people; `complete` turns false when links are missing.
std::string enabled_state(const BootRecord& record, const BootOptions& options, BootCommands& commands, bool& complete) {
  std::error_code ec;
  switch (record.enabled_by) {
    case EnableMethod::links: {
      size_t present = 0;
      for (const auto& link : record.links) present += fs::is_symlink(under_root(options.root, link), ec);
      complete = complete && present == record.links.size();
      return present == record.links.size()
                 ? "yes (links)"
                 : "partly: " + std::to_string(present) + " of " + std::to_string(record.links.size()) + " links";
    }
    case EnableMethod::systemctl: {
      fs::path systemctl = commands.locate("systemctl");
      if (!options.offline && !systemctl.empty() && fs::is_directory("/run/systemd/system", ec)) {
        auto is_enabled = commands.run({systemctl.string(), "is-enabled", record.service + ".service"});
        auto is_active = commands.run({systemctl.string(), "is-active", record.service + ".service"});
        return std::string(trim(is_enabled.output)) + " (systemctl), " + std::string(trim(is_active.output)) + " now";
      }
      return fs::is_symlink(under_root(options.root, systemd_wants_link(record.service)), ec) ? "yes (systemctl)" : "no";
    }
    case EnableMethod::update_rc_d:
    case EnableMethod::chkconfig:
      return present_runlevel_links(options.root, record.service).empty() ? "no"
                                                                          : "yes (" + to_string(record.enabled_by) + ")";
    case EnableMethod::none:
      break;
  }
  return "no (neither update-rc.d nor chkconfig was found)";
}

}  // namespace

int status_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                std::ostream& out) {
  validate_instance_name(options.instance);
  std::optional<fs::path> home;
  if (layout) home = install_home(options.root, *layout);
  bool by_name = !options.instance.empty() || !layout;
  std::vector<BootRecord> shown;
  for (auto& record : list_boot_records(options.root)) {
    if (by_name ? record.instance == options.instance : names_install(record.home, options.root, *layout))
      shown.push_back(record);
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
    out << "  enabled: " << enabled_state(record, options, commands, complete) << "\n";
    if (layout && !names_install(record.home, options.root, *layout))
      out << "  note: this instance belongs to another install\n";
  }
  return complete ? kBootInstalled : kBootBroken;
}

}  // namespace dkm::boot

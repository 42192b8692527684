// dkmadmin status-boot: what is installed for one install, and whether it is complete
// and enabled (boot.hpp).
#include <dkm/boot/boot.hpp>

#include <dkm/boot/init_system.hpp>
#include <dkm/boot/original_boot.hpp>
#include <dkm/boot/record.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/core/strings.hpp>

#include "systemd.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace dkm::boot {

namespace {

/// The S and K links of `service` in the runlevel directories under `root`.
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

}  // namespace

int status_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                std::ostream& out) {
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

}  // namespace dkm::boot

// installer: installs (or, with -u, updates) the dkumonitor bundle it sits in into a
// directory, for one install type. Engine: libdkm/include/dkm/install/.
#include "installer_command_line.hpp"

#include <dkm/core/bundle_layout.hpp>
#include <dkm/core/error.hpp>
#include <dkm/install/install.hpp>
#include <dkm/install/migrate_apply.hpp>
#include <dkm/install/summary.hpp>
#include <dkm/install/update.hpp>

#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

/// Installs, or updates, as the command line asks.
int installer_main(const std::vector<std::string>& args) {
  using namespace dkm;
  using namespace dkm::install;
  installer::InstallerRequest request = installer::parse_installer_command_line(args);
  if (request.help) {
    std::cout << installer::installer_usage();
    return kExitOk;
  }
  if (request.version) {
    std::cout << "installer " DKM_VERSION "\n";
    return kExitOk;
  }
  const InstallOptions& opt = request.options;
  Bundle bundle = Bundle::of_running_program();
  if (opt.update && holds_original_install(opt.directory)) {
    MigrationOutcome migrated =
        migrate_original_install(opt.directory, {opt.new_metric_names}, opt.dry_run, bundle, DKM_VERSION);
    std::cout << migrated.text;
    return migrated.exit_code;
  }
  if (opt.update && opt.new_metric_names)
    throw UsageError("--new-metric-names: " + opt.directory.string() +
                     " holds no install of the original dkumonitor; the flag is for migrating one");
  if (opt.update) {
    std::cout << (opt.dry_run ? update_preview(opt.directory, bundle, DKM_VERSION)
                              : update_summary(update(opt.directory, bundle, DKM_VERSION)));
    return kExitOk;
  }
  std::cout << install_summary(install_bundle(opt, bundle, DKM_VERSION));
  if (::geteuid() == 0)
    std::cerr << "installer: warning: installed as root; dkm does not run as root: give " << opt.directory.string()
              << " to the account that will run it (chown -R)\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return dkm::cli::run_front_end("installer", [&] { return installer_main({argv + 1, argv + argc}); });
}

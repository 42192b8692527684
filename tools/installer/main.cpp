// installer: installs (or, with -u, updates) the dkumonitor bundle it sits in into a
// directory, for one install type; -u on an install of the original dkumonitor migrates
// it. Engines: libdkm/include/dkm/runtime/install.hpp, migrate_apply.hpp.
#include <dkm/core/error.hpp>
#include <dkm/runtime/bundle.hpp>
#include <dkm/runtime/install.hpp>
#include <dkm/runtime/install_options.hpp>
#include <dkm/runtime/migrate_apply.hpp>

#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace dkm::runtime;
  try {
    InstallOptions opt = parse_install_options(std::vector<std::string>(argv + 1, argv + argc));
    if (opt.help) {
      std::cout << installer_usage();
      return dkm::kExitOk;
    }
    if (opt.version) {
      std::cout << "installer " DKM_VERSION "\n";
      return dkm::kExitOk;
    }
    Bundle bundle = Bundle::of_running_program();
    if (opt.update && holds_original_install(opt.directory)) {
      MigrationOutcome migrated =
          migrate_original_install(opt.directory, {opt.new_metric_names}, opt.dry_run, bundle, DKM_VERSION);
      std::cout << migrated.text;
      return migrated.exit_code;
    }
    if (opt.update && opt.new_metric_names)
      throw dkm::UsageError("--new-metric-names: " + opt.directory.string() +
                            " holds no install of the original dkumonitor; the flag is for migrating one");
    if (opt.update) {
      std::cout << (opt.dry_run ? update_preview(opt.directory, bundle, DKM_VERSION)
                                : update_summary(update(opt.directory, bundle, DKM_VERSION)));
    } else {
      std::cout << install_summary(install(opt, bundle, DKM_VERSION));
      if (::geteuid() == 0)
        std::cerr << "installer: warning: installed as root; dkm does not run as root: give "
                  << opt.directory.string() << " to the account that will run it (chown -R)\n";
    }
    return dkm::kExitOk;
  } catch (const dkm::Error& e) {
    std::cerr << "installer: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "installer: " << e.what() << "\n";
    return dkm::kExitFailure;
  }
}

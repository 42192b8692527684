// installer: installs (or, with -u, updates) the dkumonitor bundle it sits in into a
// directory, for one install type. Engine: libdkm/include/dkm/install/install.hpp.
#include <dkm/core/error.hpp>
#include <dkm/core/bundle_layout.hpp>
#include <dkm/install/install.hpp>
#include <dkm/install/options.hpp>

#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace dkm;
  using namespace dkm::install;
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
    if (opt.update) {
      std::cout << update_summary(update(opt.directory, bundle, DKM_VERSION));
    } else {
      std::cout << install_summary(install_bundle(opt, bundle, DKM_VERSION));
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

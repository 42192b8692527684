// dkm run as root acts only on root's own install.
#include <dkm/supervise/install_owner.hpp>

#include <dkm/core/privilege.hpp>
#include <dkm/core/strings.hpp>

namespace dkm::supervise {

void refuse_another_accounts_install(const InstallLayout& layout, const std::vector<std::string>& args) {
  std::string command = shell_quote((layout.bin() / "dkm").string());
  for (const auto& a : args) command += " " + shell_quote(a);
  refuse_another_accounts_paths({layout.root(), layout.bin(), layout.env_file(), layout.conf(), layout.services_file(),
                                 layout.run()},
                                command);
}

}  // namespace dkm::supervise

// What the boot commands share: options, privileges, the programs they run.
#include <dkm/boot/commands.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <unistd.h>

#include <cstdlib>

namespace dkm::boot {

fs::path SystemBootCommands::locate(const std::string& program) {
  const char* path = std::getenv("PATH");
  return search_path(program, std::string(path ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/bin:/bin");
}

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

void require_boot_privileges(const BootOptions& options, const std::string& command) {
  if (options.offline || ::geteuid() == 0) return;
  throw UsageError(command + " must run as root: it writes under /etc and runs systemctl, update-rc.d or "
                   "chkconfig. Run it with sudo, or pass --root PATH to write into another root (an image)");
}

}  // namespace dkm::boot

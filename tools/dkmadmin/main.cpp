// dkmadmin: starts an install at boot (systemd unit or SysV init script) and takes it
// away again (engine: libdkm/include/dkm/runtime/boot.hpp).
#include <dkm/core/error.hpp>
#include <dkm/runtime/boot.hpp>
#include <dkm/runtime/layout.hpp>

#include <boost/program_options.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace dkm;
using namespace dkm::runtime;

namespace {

constexpr const char* kUsage = R"(usage: dkmadmin [-d DIR] COMMAND [OPTIONS]

Starts a dkumonitor install at boot, and takes it away again.

Commands:
  install-boot    write, record and enable the boot service of this install
  uninstall-boot  disable and remove exactly what install-boot wrote
  status-boot     say what is installed for this install

Options of every command:
  -d, --directory DIR  the install (default: the DIR whose bin/ dkmadmin was run
                       from, else $DKM_HOME)
  -h, --help           this help, or a command's help after its name
      --version        print the version

The init system is detected: systemd when /run/systemd/system exists, else SysV
init. Run `dkmadmin COMMAND --help` for a command's options.
)";

constexpr const char* kInstallHelp = R"(usage: dkmadmin install-boot [-d DIR] [--name NAME] [--user USER] [--root PATH]
                             [--init systemd|sysv] [--force]

systemd: writes /etc/systemd/system/dkumonitor[.NAME].service (Type=forking,
dkm start / dkm stop, restart on failure, the whole control group killed on stop,
65536 open files, a read-only system with DIR writable), then runs
`systemctl daemon-reload` and `systemctl enable`.
SysV init: writes /etc/init.d/dkumonitor[.NAME] (start|stop|restart|force-reload|
status, running dkm as the account), enabled with update-rc.d or chkconfig.
Records what it wrote in /var/lib/dkumonitor/boot/ for uninstall-boot.
Must run as root, except with --root. Reinstalling for the same DIR updates it.
On an install migrated from the original dkumonitor, the original's unit
(/usr/lib/systemd/system/dkumonitor[.NAME].service) or init script of the same
name is replaced: disabled and moved aside first, put back if this fails.
)";

constexpr const char* kUninstallHelp = R"(usage: dkmadmin uninstall-boot [-d DIR] [--name NAME] [--root PATH] [--force]

Disables the boot service (systemctl disable, update-rc.d remove, chkconfig --del)
and removes exactly the files, links and directories install-boot recorded.
Services running now are left running. Must run as root, except with --root.
)";

constexpr const char* kStatusHelp = R"(usage: dkmadmin status-boot [-d DIR] [--name NAME] [--root PATH]

Prints the boot services installed for DIR (or the one named), their files and
whether they are enabled, and the original dkumonitor's service of a migrated
install. Exit status: 0 installed, 1 installed with parts missing or only the
original's, 3 none installed.
)";

/// The options every command takes.
po::options_description common_options() {
  po::options_description options("Options");
  options.add_options()
    ("directory,d", po::value<std::string>()->value_name("DIR"), "the install directory")
    ("help,h", "show this command's help");
  return options;
}

/// The options of one command.
po::options_description command_options(const std::string& command) {
  po::options_description options = common_options();
  options.add_options()
    ("name", po::value<std::string>()->value_name("NAME"), "instance name: letters, digits, '-' and '_'")
    ("root", po::value<std::string>()->value_name("PATH"), "write under PATH; run no systemctl");
  if (command == "install-boot") {
    options.add_options()
      ("user", po::value<std::string>()->value_name("USER"), "run dkm as USER (default: the owner of DIR)")
      ("init", po::value<std::string>()->value_name("INIT"), "systemd or sysv (default: detected)")
      ("force", "replace a service of the same name that starts another install");
  } else if (command == "uninstall-boot") {
    options.add_options()("force", "remove a service that starts another install");
  }
  return options;
}

/// The install this command is about; `required` makes not finding one an error.
std::optional<InstallLayout> locate_install(const po::variables_map& vars, const char* argv0, bool required) {
  std::string dir = vars.count("directory") ? vars["directory"].as<std::string>() : "";
  try {
    InstallLayout layout = find_install(dir, argv0);
    if (layout.holds_install()) return layout;
    if (required)
      throw UsageError(layout.root().string() + ": holds no dkumonitor install (" + layout.env_file().string() +
                       " is missing); pass -d DIR of an install made by the installer");
  } catch (const UsageError&) {
    if (required) throw;
  }
  return std::nullopt;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Global flags may come before the command: -d DIR, --help, --version.
  std::vector<std::string> before;
  std::string command;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--version") {
      std::cout << "dkmadmin " DKM_VERSION "\n";
      return kExitOk;
    }
    if (arg == "-d" || arg == "--directory") {
      if (i + 1 >= args.size()) throw UsageError(arg + ": needs a directory");
      before.push_back(arg);
      before.push_back(args[++i]);
    } else if (arg.rfind("--directory=", 0) == 0) {
      before.push_back(arg);
    } else if (!arg.empty() && arg[0] == '-' && arg != "-h" && arg != "--help") {
      throw UsageError("unknown option '" + arg + "' before the command (see dkmadmin --help)");
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else {
      command = arg;
      ++i;
      break;
    }
  }
  if (command.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const char* help = command == "install-boot" ? kInstallHelp
                     : command == "uninstall-boot" ? kUninstallHelp
                     : command == "status-boot" ? kStatusHelp
                                                : nullptr;
  if (!help) throw UsageError("unknown command '" + command + "' (see dkmadmin --help)");

  std::vector<std::string> rest = before;
  rest.insert(rest.end(), args.begin() + static_cast<long>(i), args.end());
  po::options_description options = command_options(command);
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(rest).options(options).run(), vars);
    po::notify(vars);
  } catch (const po::error& e) {
    throw UsageError(command + ": " + e.what() + " (see dkmadmin " + command + " --help)");
  }
  if (vars.count("help")) {
    std::cout << help << "\n" << options;
    return kExitOk;
  }

  BootOptions boot;
  boot.written_by = "dkmadmin " DKM_VERSION;
  if (vars.count("name")) {
    boot.instance = vars["name"].as<std::string>();
    if (boot.instance.empty()) throw UsageError("--name: needs a name (letters, digits, '-' and '_')");
  }
  if (vars.count("root")) {
    std::string root = vars["root"].as<std::string>();
    if (root.empty()) throw UsageError("--root: needs a directory");
    boot.root = fs::absolute(root).lexically_normal();
    if (boot.root != "/" && !boot.root.has_filename()) boot.root = boot.root.parent_path();
    boot.offline = true;
  }
  if (vars.count("user")) boot.user = vars["user"].as<std::string>();
  if (vars.count("init")) boot.init = parse_init_system(vars["init"].as<std::string>());
  boot.force = vars.count("force") > 0;
  validate_instance_name(boot.instance);

  SystemBootCommands commands;
  if (command == "install-boot") {
    require_boot_privileges(boot, command);
    install_boot(*locate_install(vars, argv[0], true), boot, commands, std::cout);
    return kExitOk;
  }
  if (command == "uninstall-boot") {
    uninstall_boot(locate_install(vars, argv[0], false), boot, commands, std::cout);
    return kExitOk;
  }
  return status_boot(locate_install(vars, argv[0], boot.instance.empty()), boot, commands, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Error& e) {
    std::cerr << "dkmadmin: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "dkmadmin: " << e.what() << "\n";
    return kExitFailure;
  }
}

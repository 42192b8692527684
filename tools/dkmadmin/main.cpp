// dkmadmin: starts an install at boot (systemd unit or SysV init script) and takes it
// away again (engine: libdkm/include/dkm/boot/boot.hpp).
#include "cli/command_line.hpp"

#include <dkm/boot/boot.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/install_layout.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace dkm;
using namespace dkm::boot;
using cli::Value;

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
Records what it wrote (with each file's sha256) in /var/lib/dkumonitor/boot/ for
uninstall-boot. The unit names DIR by its real path; --user root for an install
another account owns is refused without --force.
Must run as root, except with --root. Reinstalling for the same DIR updates it.
On an install migrated from the original dkumonitor, the original's unit
(/usr/lib/systemd/system/dkumonitor[.NAME].service) or init script of the same
name is replaced: disabled and moved aside first, put back if this fails.
)";

constexpr const char* kUninstallHelp = R"(usage: dkmadmin uninstall-boot [-d DIR] [--name NAME] [--root PATH] [--force]

Disables the boot service (systemctl disable, update-rc.d remove, chkconfig --del)
and removes the files, links and directories install-boot recorded, as it wrote
them: a file changed since is left, and named.
Services running now are left running. Must run as root, except with --root.
)";

constexpr const char* kStatusHelp = R"(usage: dkmadmin status-boot [-d DIR] [--name NAME] [--root PATH]

Prints the boot services installed for DIR (or the one named), their files and
whether they are enabled, and the original dkumonitor's service of a migrated
install. Exit status: 0 installed, 1 installed with parts missing or only the
original's, 3 none installed.
)";

/// The options of every boot command but install-boot's own.
const std::vector<cli::Option> kNameAndRoot{{"name", Value::kText, "NAME", "instance name: letters, digits, '-' and '_'"},
                                            {"root", Value::kText, "PATH", "write under PATH; run no systemctl"}};

/// dkmadmin's commands, with their options and help.
const cli::Program kProgram{
    "dkmadmin",
    {{"directory,d", Value::kText, "DIR", "the install directory"}, {"help,h", Value::kNone, "", "show this command's help"},
     {"version"}},
    {{"install-boot", std::string(kInstallHelp) + "\n{options}",
      {kNameAndRoot[0], kNameAndRoot[1], {"user", Value::kText, "USER", "run dkm as USER (default: the owner of DIR)"},
       {"init", Value::kText, "INIT", "systemd or sysv (default: detected)"},
       {"force", Value::kNone, "",
        "replace a service of the same name that starts another install; with --user root, run another "
        "account's install as root"}}},
     {"uninstall-boot", std::string(kUninstallHelp) + "\n{options}",
      {kNameAndRoot[0], kNameAndRoot[1], {"force", Value::kNone, "", "remove a service that starts another install"}}},
     {"status-boot", std::string(kStatusHelp) + "\n{options}", kNameAndRoot}},
    " (see dkmadmin {command} --help)",
    /*abbreviations=*/true,
    /*globals_first=*/true};

/// The install this command is about; `required` makes not finding one an error.
std::optional<InstallLayout> locate_install(const cli::Invocation& inv, const char* argv0, bool required) {
  std::string dir = inv.text("directory");
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

/// What the command line asks of the boot service.
BootOptions boot_options(const cli::Invocation& inv) {
  BootOptions boot;
  boot.written_by = "dkmadmin " DKM_VERSION;
  if (inv.has("name")) {
    boot.instance = inv.text("name");
    if (boot.instance.empty()) throw UsageError("--name: needs a name (letters, digits, '-' and '_')");
  }
  if (inv.has("root")) {
    std::string root = inv.text("root");
    if (root.empty()) throw UsageError("--root: needs a directory");
    boot.root = fs::absolute(root).lexically_normal();
    if (boot.root != "/" && !boot.root.has_filename()) boot.root = boot.root.parent_path();
    boot.offline = true;
  }
  boot.user = inv.text("user");
  if (inv.has("init")) boot.init = parse_init_system(inv.text("init"));
  boot.force = inv.has("force");
  validate_instance_name(boot.instance);
  return boot;
}

int run(const std::vector<std::string>& args, const char* argv0) {
  cli::Invocation inv = cli::parse(kProgram, args);
  if (inv.has("version")) {
    std::cout << "dkmadmin " DKM_VERSION "\n";
    return kExitOk;
  }
  if (!inv.command && !inv.command_word.empty())
    throw UsageError(cli::usage_message(kProgram, "", "unknown command '" + inv.command_word + "'"));
  if (!inv.command || inv.before_command("help")) {
    (inv.has("help") ? std::cout : std::cerr) << kUsage;
    return inv.has("help") ? kExitOk : kExitUsage;
  }
  const std::string& command = inv.command->name;
  if (inv.has("help")) {
    std::cout << cli::help_text(kProgram, *inv.command);
    return kExitOk;
  }
  BootOptions boot = boot_options(inv);
  SystemBootCommands commands;
  if (command == "install-boot") {
    require_boot_privileges(boot, command);
    install_boot(*locate_install(inv, argv0, true), boot, commands, std::cout);
    return kExitOk;
  }
  if (command == "uninstall-boot") {
    uninstall_boot(locate_install(inv, argv0, false), boot, commands, std::cout);
    return kExitOk;
  }
  return status_boot(locate_install(inv, argv0, boot.instance.empty()), boot, commands, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_front_end("dkmadmin", [&] { return run({argv + 1, argv + argc}, argv[0]); });
}

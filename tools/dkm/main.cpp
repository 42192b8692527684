// dkm: runs an install's services with supervisorctl's command line (engine: libdkm/include/dkm/supervise).
#include "cli/command_line.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/client.hpp>
#include <dkm/supervise/daemon.hpp>
#include <dkm/supervise/install_owner.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace dkm;
using namespace dkm::supervise;
using cli::Value;

namespace {

const char* const kUsage =
    "usage: dkm [-d DIR] COMMAND [ARGS]\n"
    "\n"
    "Runs the services of a dkumonitor install (DIR/conf/services.ini) under one supervisor,\n"
    "with supervisorctl's commands. The first command that needs the supervisor starts it.\n"
    "\n"
    "commands:\n"
    "  start [NAME...|all] [-t S]  start services (no name: all) and wait until RUNNING\n"
    "  stop [NAME...|all]          stop services; no name: stop all and end the supervisor\n"
    "  restart [NAME...|all] [-t S] stop, then start and wait until RUNNING\n"
    "  status [NAME...|all]        one line per service; exit 0 all RUNNING, 3 not, 4 unknown\n"
    "  tail [-f] [-n N] NAME [stdout|stderr]   last lines of a service's log (-f: follow)\n"
    "  pid [NAME...|all]           the supervisor's pid, or the services' pids\n"
    "  reload                      re-read the services file, apply only what changed (alias: update)\n"
    "  reopenlogs                  reopen every log file (after an outside logrotate)\n"
    "  shutdown                    stop every service and end the supervisor (same as `stop`)\n"
    "  run NAME                    run one service in the foreground, without the supervisor\n"
    "  supervise                   run the supervisor in the foreground (autostart services start)\n"
    "  help [COMMAND]              this text, or a command's\n"
    "\n"
    "options:\n"
    "  -d, --directory DIR  the install (default: $DKM_HOME, else the DIR of DIR/bin/dkm)\n"
    "  -h, --help           help (also after a command)\n"
    "  --version            print the version\n"
    "\n"
    "Running as root is refused unless DKM_ALLOW_ROOT=1, and always on an install another\n"
    "account owns (exit 2, with the sudo -u OWNER command to run instead; see SECURITY.md).\n"
    "Files: DIR/run/dkm.sock, dkm.pid, dkm.log, dkm.procs, NAME.log, NAME.pid.\n";
/// dkm's commands: supervisorctl's, with their options and help.
const cli::Command kStartCommand{"start",
    "usage: dkm start [NAME...|all] [-t SECONDS]\n"
    "Starts the supervisor if needed, then the named services (no name or `all`: every\n"
    "service), and waits until each is RUNNING: its `ready` probe answers, or it stayed up\n"
    "`startsecs`. Services go by `priority`, lowest first, each priority once the lower\n"
    "ones are RUNNING or have given up (`status` says `queued` meanwhile). Exit 0 when all\n"
    "are RUNNING; 7 naming each one that is not, with the last lines of its log (FATAL, or\n"
    "still STARTING after the timeout); 1 for an unknown name; 2 for a bad services file\n"
    "(nothing is started).\n"
    "  -t, --timeout SECONDS  how long to wait (default 90; 0: do not wait)\n",
    {{"timeout,t", Value::kNumber, "SECONDS"}},
    true};
const cli::Command kRestartCommand{"restart",
    "usage: dkm restart [NAME...|all] [-t SECONDS]\n"
    "Stops the named services (no name or `all`: every service) and starts them again,\n"
    "waiting as `dkm start` does. Exit codes as `dkm start`.\n"
    "  -t, --timeout SECONDS  how long to wait for RUNNING (default 90; 0: do not wait)\n",
    {{"timeout,t", Value::kNumber, "SECONDS"}},
    true};
const cli::Command kStopCommand{"stop",
    "usage: dkm stop [NAME...|all]\n"
    "Stops the named services (stopsignal to the process group, SIGKILL after\n"
    "stopwaitsecs), highest `priority` first, and returns when they are stopped. With no\n"
    "name, stops every service and ends the supervisor: when it returns, no process of the\n"
    "install is left (also those a killed supervisor left behind). `stop all` stops every\n"
    "service and keeps the supervisor.\n"
    "Exit 0; 1 for an unknown name.\n",
    {},
    true};
const cli::Command kShutdownCommand{"shutdown",
    "usage: dkm shutdown\nStops every service and ends the supervisor, as `dkm stop` with no name.\n",
    {},
    true};
const cli::Command kStatusCommand{"status",
    "usage: dkm status [NAME...|all]\n"
    "One line per service, as supervisorctl prints them:\n"
    "  NAME   STATE   pid N, uptime H:MM:SS   (or why it is not running)\n"
    "Exit 0 when every service asked for is RUNNING, 3 when one is not (or no supervisor\n"
    "runs), 4 for an unknown name. Never starts the supervisor.\n",
    {},
    true};
const cli::Command kTailCommand{"tail",
    "usage: dkm tail [-f] [-n N] NAME [stdout|stderr]\n"
    "Prints the last lines of a service's log (DIR/run/NAME.log unless the services file\n"
    "says otherwise); -f keeps printing what is appended, across rotations.\n"
    "  -f, --follow   follow the log\n"
    "  -n, --lines N  lines to print first (default 10)\n",
    {{"follow,f"}, {"lines,n", Value::kUnsigned, "N"}},
    true};
const cli::Command kPidCommand{"pid",
    "usage: dkm pid [NAME...|all]\n"
    "Prints the supervisor's pid, or each named service's pid (0 when it has none).\n"
    "Exit 7 when the supervisor or a named service is not running, 1 for an unknown name.\n",
    {},
    true};
const cli::Command kReloadCommand{"reload",
    "usage: dkm reload\n"
    "Re-reads DIR/bin/env and the services file and applies only what changed: added\n"
    "services are added (and started when autostart), removed ones stopped and dropped,\n"
    "changed ones restarted with their new definition; others are not touched. A bad file\n"
    "changes nothing (exit 2).\n",
    {},
    true};
const cli::Command kUpdateCommand{"update",
    "usage: dkm update\nThe same as `dkm reload`.\n",
    {},
    true};
const cli::Command kReopenlogsCommand{"reopenlogs",
    "usage: dkm reopenlogs\nReopens every log file the supervisor writes (its own and the services').\n",
    {},
    true};
const cli::Command kRunCommand{"run",
    "usage: dkm run NAME\n"
    "Runs one service in the foreground, without the supervisor: its command, directory\n"
    "and environment, output on this terminal. Refused while the supervisor runs it.\n",
    {},
    true};
const cli::Command kSuperviseCommand{"supervise",
    "usage: dkm supervise\n"
    "Runs the supervisor in the foreground (services with autostart=true start), logging to\n"
    "stderr and DIR/run/dkm.log. SIGTERM or SIGINT stop every service and end it; SIGHUP\n"
    "reloads; SIGUSR2 reopens the logs. Other commands start it detached when needed.\n",
    {{"daemon"}, {"notify-fd", Value::kInteger, "FD"}},
    true};
const cli::Command kHelpCommand{"help",
    "usage: dkm help [COMMAND]\n",
    {},
    true};

/// dkm: its global options and its commands.
const cli::Program kProgram{"dkm",
                            {{"directory,d", Value::kText, "DIR"}, {"help,h"}, {"version"}},
                            {kStartCommand, kRestartCommand, kStopCommand, kShutdownCommand, kStatusCommand, kTailCommand, kPidCommand, kReloadCommand, kUpdateCommand, kReopenlogsCommand, kRunCommand, kSuperviseCommand, kHelpCommand},
                            " (see dkm --help)"};

/// A usage error for `message` (exit 2).
[[noreturn]] void usage(const std::string& message) { throw UsageError(cli::usage_message(kProgram, "", message)); }

/// Refuses root unless DKM_ALLOW_ROOT=1: dkm runs as the owner of the install.
int refuse_root(const std::string& command) {
  const char* allow = std::getenv("DKM_ALLOW_ROOT");
  if (::geteuid() != 0 || (allow && std::strcmp(allow, "1") == 0)) return kExitOk;
  std::cerr << "dkm: refusing to run as root: run it as the owner of the install (su OWNER -c 'DIR/bin/dkm " << command
            << "'), or set DKM_ALLOW_ROOT=1\n";
  return kExitFailure;
}

/// Runs `command` on the install with its operands `args`.
int run_command(const std::string& command, const cli::Invocation& inv, const InstallLayout& layout) {
  const auto& args = inv.operands;
  double timeout = inv.number("timeout", kDefaultStartTimeout);
  auto no_args = [&] {
    if (!args.empty()) usage(command + " takes no arguments");
  };
  if (command == "status") return dkm_status(layout, args);
  if (command == "start" || command == "restart") return dkm_start(layout, args, timeout, command == "restart");
  if (command == "stop") return dkm_stop(layout, args);
  if (command == "pid") return dkm_pid(layout, args);
  if (command == "shutdown") return no_args(), dkm_stop(layout, {});
  if (command == "reload" || command == "update") return no_args(), dkm_reload(layout);
  if (command == "reopenlogs") return no_args(), dkm_reopenlogs(layout);
  if (command == "tail") {
    if (args.empty() || args.size() > 2) usage("tail needs NAME and optionally stdout or stderr");
    return dkm_tail(layout, args[0], args.size() > 1 ? args[1] : "stdout", inv.count("lines", 10), inv.has("follow"));
  }
  if (command == "run") {
    if (args.size() != 1) usage("run needs exactly one NAME");
    return dkm_run(layout, args[0]);
  }
  if (!args.empty()) usage("supervise takes no arguments");
  return run_supervisor(layout, SuperviseOptions{inv.has("daemon"), static_cast<int>(inv.integer("notify-fd", -1))});
}

/// Prints the help `help` asks for: a command's, or dkm's.
void print_help(const cli::Invocation& inv) {
  const std::string* topic = inv.operands.empty() ? nullptr : &inv.operands.front();
  for (const auto& c : kProgram.commands)
    if (topic && c.name == *topic && c.name != "help") {
      std::cout << c.help;
      return;
    }
  std::cout << kUsage;
}

int dkm_main(const std::vector<std::string>& args, const char* argv0) {
  cli::Invocation inv = cli::parse(kProgram, args);
  if (inv.has("version")) {
    std::cout << "dkm " DKM_VERSION "\n";
    return kExitOk;
  }
  if (!inv.command) {
    if (!inv.command_word.empty()) usage("unknown command '" + inv.command_word + "'");
    if (!inv.has("help")) usage("a command is required");
    std::cout << kUsage;
    return kExitOk;
  }
  const std::string& command = inv.command->name;
  if (command == "help") {
    print_help(inv);
    return kExitOk;
  }
  if (inv.has("help")) {
    std::cout << inv.command->help;
    return kExitOk;
  }
  if (inv.number("timeout", 0) < 0) usage(command + ": the timeout cannot be negative");
  if (int refused = refuse_root(command)) return refused;
  // One install, whichever path names it (a link, ".."): one supervisor, one marker.
  InstallLayout layout = canonical_install(find_install(inv.text("directory"), argv0));
  // The privilege rule (SECURITY.md): root never acts on another account's install on
  // that account's say-so (its services.ini, its run/, its processes); it refuses, exit 2.
  refuse_another_accounts_install(layout, args);
  return run_command(command, inv, layout);
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_front_end("dkm", [&] { return dkm_main({argv + 1, argv + argc}, argv[0]); });
}

// dkm: runs an install's services with supervisorctl's command line (engine: libdkm/include/dkm/supervise).
#include <dkm/core/error.hpp>
#include <dkm/supervise/client.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/daemon.hpp>

#include <boost/program_options.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace dkm;
using namespace dkm::supervise;

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
    "Running as root is refused unless DKM_ALLOW_ROOT=1. Files: DIR/run/dkm.sock, dkm.pid,\n"
    "dkm.log, NAME.log, NAME.pid.\n";

const std::map<std::string, std::string>& command_help() {
  static const std::map<std::string, std::string> help{
      {"start",
       "usage: dkm start [NAME...|all] [-t SECONDS]\n"
       "Starts the supervisor if needed, then the named services (no name or `all`: every\n"
       "service), and waits until each is RUNNING: its `ready` probe answers, or it stayed up\n"
       "`startsecs`. Services go by `priority`, lowest first, each priority once the lower\n"
       "ones are RUNNING or have given up (`status` says `queued` meanwhile). Exit 0 when all\n"
       "are RUNNING; 7 naming each one that is not, with the last lines of its log (FATAL, or\n"
       "still STARTING after the timeout); 1 for an unknown name; 2 for a bad services file\n"
       "(nothing is started).\n"
       "  -t, --timeout SECONDS  how long to wait (default 90; 0: do not wait)\n"},
      {"restart",
       "usage: dkm restart [NAME...|all] [-t SECONDS]\n"
       "Stops the named services (no name or `all`: every service) and starts them again,\n"
       "waiting as `dkm start` does. Exit codes as `dkm start`.\n"
       "  -t, --timeout SECONDS  how long to wait for RUNNING (default 90; 0: do not wait)\n"},
      {"stop",
       "usage: dkm stop [NAME...|all]\n"
       "Stops the named services (stopsignal to the process group, SIGKILL after\n"
       "stopwaitsecs), highest `priority` first, and returns when they are stopped. With no\n"
       "name, stops every service and ends the supervisor: when it returns, no process of the\n"
       "install is left (also those a killed supervisor left behind). `stop all` stops every\n"
       "service and keeps the supervisor.\n"
       "Exit 0; 1 for an unknown name.\n"},
      {"shutdown", "usage: dkm shutdown\nStops every service and ends the supervisor, as `dkm stop` with no name.\n"},
      {"status",
       "usage: dkm status [NAME...|all]\n"
       "One line per service, as supervisorctl prints them:\n"
       "  NAME   STATE   pid N, uptime H:MM:SS   (or why it is not running)\n"
       "Exit 0 when every service asked for is RUNNING, 3 when one is not (or no supervisor\n"
       "runs), 4 for an unknown name. Never starts the supervisor.\n"},
      {"tail",
       "usage: dkm tail [-f] [-n N] NAME [stdout|stderr]\n"
       "Prints the last lines of a service's log (DIR/run/NAME.log unless the services file\n"
       "says otherwise); -f keeps printing what is appended, across rotations.\n"
       "  -f, --follow   follow the log\n"
       "  -n, --lines N  lines to print first (default 10)\n"},
      {"pid",
       "usage: dkm pid [NAME...|all]\n"
       "Prints the supervisor's pid, or each named service's pid (0 when it has none).\n"
       "Exit 7 when the supervisor or a named service is not running, 1 for an unknown name.\n"},
      {"reload",
       "usage: dkm reload\n"
       "Re-reads DIR/bin/env and the services file and applies only what changed: added\n"
       "services are added (and started when autostart), removed ones stopped and dropped,\n"
       "changed ones restarted with their new definition; others are not touched. A bad file\n"
       "changes nothing (exit 2).\n"},
      {"update", "usage: dkm update\nThe same as `dkm reload`.\n"},
      {"reopenlogs", "usage: dkm reopenlogs\nReopens every log file the supervisor writes (its own and the services').\n"},
      {"run",
       "usage: dkm run NAME\n"
       "Runs one service in the foreground, without the supervisor: its command, directory\n"
       "and environment, output on this terminal. Refused while the supervisor runs it.\n"},
      {"supervise",
       "usage: dkm supervise\n"
       "Runs the supervisor in the foreground (services with autostart=true start), logging to\n"
       "stderr and DIR/run/dkm.log. SIGTERM or SIGINT stop every service and end it; SIGHUP\n"
       "reloads; SIGUSR2 reopens the logs. Other commands start it detached when needed.\n"},
      {"help", "usage: dkm help [COMMAND]\n"},
  };
  return help;
}

int usage_error(const std::string& message) {
  std::cerr << "dkm: " << message << " (see dkm --help)\n";
  return dkm::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    po::options_description global;
    global.add_options()("directory,d", po::value<std::string>())("help,h", "")("version", "")(
        "command", po::value<std::string>())("args", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(global).positional(positional).allow_unregistered().run();
    po::variables_map vm;
    po::store(parsed, vm);

    if (vm.count("version")) {
      std::cout << "dkm " DKM_VERSION "\n";
      return dkm::kExitOk;
    }
    std::string command = vm.count("command") ? vm["command"].as<std::string>() : "";
    std::vector<std::string> rest = po::collect_unrecognized(parsed.options, po::include_positional);
    if (!rest.empty() && rest.front() == command) rest.erase(rest.begin());
    if (command.empty()) {
      if (vm.count("help")) {
        std::cout << kUsage;
        return dkm::kExitOk;
      }
      return usage_error("a command is required");
    }
    if (command == "help") {
      auto it = rest.empty() ? command_help().end() : command_help().find(rest.front());
      std::cout << (it == command_help().end() ? kUsage : it->second);
      return dkm::kExitOk;
    }
    auto help = command_help().find(command);
    if (help == command_help().end()) return usage_error("unknown command '" + command + "'");
    if (vm.count("help")) {
      std::cout << help->second;
      return dkm::kExitOk;
    }

    // The command's own options.
    po::options_description own;
    double timeout = kDefaultStartTimeout;
    std::size_t lines = 10;
    int notify_fd = -1;
    own.add_options()("names", po::value<std::vector<std::string>>()->default_value({}, ""));
    if (command == "start" || command == "restart") own.add_options()("timeout,t", po::value<double>(&timeout));
    if (command == "tail") own.add_options()("follow,f", "")("lines,n", po::value<std::size_t>(&lines));
    if (command == "supervise") own.add_options()("daemon", "")("notify-fd", po::value<int>(&notify_fd));
    po::positional_options_description names;
    names.add("names", -1);
    po::variables_map cvm;
    try {
      po::store(po::command_line_parser(rest).options(own).positional(names).run(), cvm);
      po::notify(cvm);
    } catch (const po::error& e) {
      return usage_error(command + ": " + e.what());
    }
    auto args = cvm["names"].as<std::vector<std::string>>();
    if (timeout < 0) return usage_error(command + ": the timeout cannot be negative");

    if (::geteuid() == 0) {
      const char* allow = std::getenv("DKM_ALLOW_ROOT");
      if (!allow || std::strcmp(allow, "1") != 0) {
        std::cerr << "dkm: refusing to run as root: run it as the owner of the install (su OWNER -c 'DIR/bin/dkm "
                  << command << "'), or set DKM_ALLOW_ROOT=1\n";
        return dkm::kExitFailure;
      }
    }
    InstallLayout layout = find_install(vm.count("directory") ? vm["directory"].as<std::string>() : "", argv[0]);

    auto no_args = [&] { return args.empty() ? 0 : usage_error(command + " takes no arguments"); };
    if (command == "status") return dkm_status(layout, args);
    if (command == "start") return dkm_start(layout, args, timeout, false);
    if (command == "restart") return dkm_start(layout, args, timeout, true);
    if (command == "stop") return dkm_stop(layout, args);
    if (command == "shutdown") return no_args() ? dkm::kExitUsage : dkm_stop(layout, {});
    if (command == "pid") return dkm_pid(layout, args);
    if (command == "reload" || command == "update") return no_args() ? dkm::kExitUsage : dkm_reload(layout);
    if (command == "reopenlogs") return no_args() ? dkm::kExitUsage : dkm_reopenlogs(layout);
    if (command == "tail") {
      if (args.empty() || args.size() > 2) return usage_error("tail needs NAME and optionally stdout or stderr");
      return dkm_tail(layout, args[0], args.size() > 1 ? args[1] : "stdout", lines, cvm.count("follow") > 0);
    }
    if (command == "run") {
      if (args.size() != 1) return usage_error("run needs exactly one NAME");
      return dkm_run(layout, args[0]);
    }
    if (command == "supervise") {
      if (!args.empty()) return usage_error("supervise takes no arguments");
      return run_supervisor(layout, SuperviseOptions{cvm.count("daemon") > 0, notify_fd});
    }
    return usage_error("unknown command '" + command + "'");
  } catch (const po::error& e) {
    return usage_error(e.what());
  } catch (const dkm::Error& e) {
    std::fflush(stdout);
    std::cerr << "dkm: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "dkm: " << e.what() << "\n";
    return dkm::kExitFailure;
  }
}

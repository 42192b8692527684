// dkm's command-line table: supervisorctl's commands and dkm's own, with their help.
#include "commands.hpp"

namespace dkm::tools {

using cli::Value;

const char* const kDkmUsage =
    "usage: dkm [-d DIR] COMMAND [ARGS]\n"
    "\n"
    "Runs the services of a dkumonitor install (DIR/conf/services.ini) under one supervisor,\n"
    "with supervisorctl's commands. The first command that needs the supervisor starts it.\n"
    "NAME is a program, GROUP:NAME one of a group's, GROUP:* all of a group's; `all` is every one.\n"
    "\n"
    "commands:\n"
    "  start [NAME...|all] [-t S]  start programs (no name: all) and wait until RUNNING\n"
    "  stop [NAME...|all]          stop programs; no name: stop all and end the supervisor\n"
    "  restart [NAME...|all] [-t S] stop, then start and wait until RUNNING\n"
    "  status [NAME...|all]        one line per program; exit 3 when one is stopped, 4 unknown\n"
    "  signal SIG NAME...|all      send a signal to programs\n"
    "  tail [-f|-BYTES|-n N] NAME [stdout|stderr]  the end of a program's log (-f: follow)\n"
    "  maintail [-f|-BYTES|-n N]   the end of the supervisor's log (run/dkm.log)\n"
    "  fg NAME                     a program in the foreground: its output, your input\n"
    "  clear NAME...|all           empty programs' logs\n"
    "  pid [NAME...|all]           the supervisor's pid, or the programs' pids\n"
    "  reread                      re-read the services file, say what changed\n"
    "  avail                       every program of the file read last, in use or not\n"
    "  add GROUP... / remove GROUP...  take a group of the file in use, drop a stopped one\n"
    "  update [GROUP...|all]       re-read the services file and apply only what changed\n"
    "  reload                      re-read the services file, stop everything, start again\n"
    "  reopenlogs                  reopen every log file (after an outside logrotate)\n"
    "  version                     the supervisor's version\n"
    "  shutdown                    stop every program and end the supervisor\n"
    "  run NAME                    run one program in the foreground, without the supervisor\n"
    "  supervise                   run the supervisor in the foreground (autostart programs start)\n"
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

namespace {

const std::vector<cli::Command> kCommands{
    {"start",
     "usage: dkm start [NAME...|all] [-t SECONDS]\n"
     "Starts the supervisor if needed, then the named programs (no name or `all`: every\n"
     "one), and waits until each is RUNNING: its `ready` probe answers, or it stayed up\n"
     "`startsecs`, through its retries. Programs go by `priority`, lowest first, each\n"
     "priority once the lower ones are RUNNING or have given up (`status` says `queued`).\n"
     "Prints `NAME: started`, or supervisorctl's `NAME: ERROR (...)`: already started, no\n"
     "such process, no such file, spawn error... Exit 0; 7 when one did not start; 1 for an\n"
     "unknown name or a command that cannot run; 2 for a bad services file.\n"
     "  -t, --timeout SECONDS  how long to wait (default 90; 0: do not wait)\n",
     {{"timeout,t", Value::kNumber, "SECONDS"}},
     true},
    {"restart",
     "usage: dkm restart [NAME...|all] [-t SECONDS]\n"
     "Stops the named programs (no name or `all`: every one) and starts them again, waiting\n"
     "as `dkm start` does; prints `NAME: stopped`, then `NAME: started`. Exit codes as start.\n"
     "  -t, --timeout SECONDS  how long to wait for RUNNING (default 90; 0: do not wait)\n",
     {{"timeout,t", Value::kNumber, "SECONDS"}},
     true},
    {"stop",
     "usage: dkm stop [NAME...|all]\n"
     "Stops the named programs (stopsignal to the process group, SIGKILL after\n"
     "stopwaitsecs), highest `priority` first, and returns when they are stopped. With no\n"
     "name, stops every program and ends the supervisor: when it returns, no process of the\n"
     "install is left (also those a killed supervisor left behind). `stop all` stops every\n"
     "program and keeps the supervisor. Exit 0 (also for one not running); 1 for an unknown name.\n",
     {},
     true},
    {"shutdown", "usage: dkm shutdown\nStops every program and ends the supervisor, as `dkm stop` with no name.\n", {}, true},
    {"status",
     "usage: dkm status [NAME...|all]\n"
     "One line per program, as supervisorctl prints them:\n"
     "  NAME   STATE   pid N, uptime H:MM:SS   (or why it is not running)\n"
     "Exit 0; 3 when one of them is STOPPED, EXITED or FATAL (or no supervisor runs); 4 for\n"
     "an unknown name. Never starts the supervisor.\n",
     {},
     true},
    {"signal",
     "usage: dkm signal SIGNAL NAME...|all\n"
     "Sends SIGNAL (HUP, SIGHUP or 1) to each named program's process. Exit 0; 7 when one is\n"
     "not running; 1 for an unknown name or signal.\n",
     {},
     true},
    {"tail",
     "usage: dkm tail [-f|-BYTES|-n LINES] NAME [stdout|stderr]\n"
     "Prints the last 1600 bytes (or BYTES, or LINES lines) of a program's log\n"
     "(DIR/run/NAME.log unless the services file says otherwise); -f prints the last 1024\n"
     "bytes, then what is appended, across rotations, until Ctrl-C.\n"
     "  -f, --follow   follow the log\n"
     "  -n, --lines N  the last N lines instead of bytes\n",
     {{"follow,f"}, {"lines,n", Value::kUnsigned, "N"}},
     true,
     true},
    {"maintail",
     "usage: dkm maintail [-f|-BYTES|-n LINES]\n"
     "The end of the supervisor's own log (DIR/run/dkm.log), as `dkm tail` prints a program's.\n"
     "  -f, --follow   follow the log\n"
     "  -n, --lines N  the last N lines instead of bytes\n",
     {{"follow,f"}, {"lines,n", Value::kUnsigned, "N"}},
     true,
     true},
    {"fg",
     "usage: dkm fg NAME\n"
     "Brings a RUNNING program to the foreground: the end of its logs and what it writes\n"
     "appear here, each line typed goes to its standard input. End of input or Ctrl-C\n"
     "leaves it running.\n",
     {},
     true},
    {"clear", "usage: dkm clear NAME...|all\nEmpties the named programs' log files.\n", {}, true},
    {"pid",
     "usage: dkm pid [NAME...|all]\n"
     "Prints the supervisor's pid, or each named program's pid (0 when it has none).\n"
     "Exit 7 when a named program (or the supervisor) is not running, 1 for an unknown name.\n",
     {},
     true},
    {"reread",
     "usage: dkm reread\n"
     "Re-reads DIR/bin/env and the services file and says what differs from the programs\n"
     "in use (`g: available`, `g: changed`, `g: disappeared`); applies nothing (see add,\n"
     "update). A bad file changes nothing (exit 2).\n",
     {},
     true},
    {"avail", "usage: dkm avail\nEvery program of the services file read last: in use or avail, auto or manual, priorities.\n", {}, true},
    {"add", "usage: dkm add GROUP...\nTakes groups of the services file read last (reread) into use; starts them when autostart.\n", {}, true},
    {"remove", "usage: dkm remove GROUP...\nDrops groups whose programs are all stopped.\n", {}, true},
    {"update",
     "usage: dkm update [GROUP...|all]\n"
     "Re-reads DIR/bin/env and the services file and applies only what changed: added\n"
     "programs are added (started when autostart), removed ones stopped and dropped, changed\n"
     "ones take their new definition (restarted when they ran). Others are not touched. A\n"
     "bad file changes nothing (exit 2).\n",
     {},
     true},
    {"reload",
     "usage: dkm reload\n"
     "Re-reads DIR/bin/env and the services file, stops every program, then starts the\n"
     "autostart ones and those that ran. A bad file changes nothing (exit 2).\n",
     {},
     true},
    {"reopenlogs", "usage: dkm reopenlogs\nReopens every log file the supervisor writes (its own and the programs').\n", {}, true},
    {"version", "usage: dkm version\nPrints the running supervisor's version.\n", {}, true},
    {"run",
     "usage: dkm run NAME\n"
     "Runs one program in the foreground, without the supervisor: its command, directory\n"
     "and environment, output on this terminal. Refused while the supervisor runs it.\n",
     {},
     true},
    {"supervise",
     "usage: dkm supervise\n"
     "Runs the supervisor in the foreground (programs with autostart=true start), logging to\n"
     "stderr and DIR/run/dkm.log. SIGTERM or SIGINT stop every program and end it; SIGHUP\n"
     "applies the services file as `dkm update`; SIGUSR2 reopens the logs. Other commands\n"
     "start it detached when needed.\n",
     {{"daemon"}, {"notify-fd", Value::kInteger, "FD"}},
     true},
    {"help", "usage: dkm help [COMMAND]\n", {}, true}};

}  // namespace

const cli::Program& dkm_program() {
  static const cli::Program program{"dkm",
                                    {{"directory,d", Value::kText, "DIR"}, {"help,h"}, {"version"}},
                                    kCommands,
                                    " (see dkm --help)"};
  return program;
}

}  // namespace dkm::tools

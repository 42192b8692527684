#pragma once
// dkm's services file (DIR/conf/services.ini): a supervisord configuration, read as
// supervisord 4.2.5 reads it (ini_reader.hpp for the syntax), then checked key by key.
// Errors name the file and line at fault.
//
//   [program:NAME]          command (required), directory, environment, umask, user,
//                           autostart, autorestart, exitcodes, startsecs, startretries,
//                           stopsignal, stopwaitsecs, stopasgroup, killasgroup, priority,
//                           numprocs, numprocs_start, process_name, serverurl,
//                           redirect_stderr, stdout_logfile(_maxbytes, _backups),
//                           stdout_syslog, stdout_capture_maxbytes, stdout_events_enabled
//                           (and stderr's), and dkm's own `ready = tcp:HOST:PORT | command ...`
//   [group:NAME]            programs, priority: the programs' processes are NAME:PROCESS
//   [include]               files: globs, relative to the including file
//   [supervisord]           environment (every program's), umask (the supervisor's),
//                           directory (the programs' default); other keys are reported
//   [supervisorctl] ...     sections dkm does not need: reported and ignored
//
// A program is a group of numprocs processes (one by default), each a ProgramConfig
// named as supervisorctl names it: PROCESS when the group and the process share the
// name (a plain program), GROUP:PROCESS otherwise.
// Implementation: libdkm/src/supervise/services_file.cpp, program_reader.cpp.

#include <dkm/core/install_layout.hpp>

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dkm::supervise {

/// When a service counts as ready: `ready = tcp:HOST:PORT` or `ready = command ARGS...`.
struct ReadyProbe {
  enum class Kind { kNone, kTcp, kCommand };
  Kind kind = Kind::kNone;
  std::string host;               ///< kTcp
  int port = 0;                   ///< kTcp
  std::vector<std::string> argv;  ///< kCommand
  std::string text;               ///< as written, for messages

  /// Equal when both probe the same thing.
  bool operator==(const ReadyProbe&) const = default;
};

/// When an exited service is started again (supervisord's `autorestart`).
enum class AutoRestart { kFalse, kTrue, kUnexpected };

/// Where one output stream goes: a file with its rotation, syslog, both or neither.
struct LogTarget {
  fs::path path;                                ///< empty: no file (NONE, or syslog alone)
  std::uint64_t max_bytes = 50 * 1024 * 1024;   ///< rotate before a file would exceed this; 0 = never
  int backups = 10;                             ///< rotated files kept (NAME.log.1 ...)
  bool syslog = false;                          ///< each line also to syslog, as "NAME line"

  /// Equal when both write the same file the same way.
  bool operator==(const LogTarget&) const = default;
};

/// One process of a `[program:NAME]` section, values expanded and checked.
struct ProgramConfig {
  std::string name;                   ///< how commands name it: PROCESS, or GROUP:PROCESS when they differ
  std::string group;                  ///< its group: the program's name, or [group:NAME]'s
  std::string process_name;           ///< process_name expanded (default: the program's name)
  std::vector<std::string> command;   ///< argv, split like a shell would
  std::string command_text;           ///< as written (after expansion)
  fs::path directory;                 ///< working directory
  std::map<std::string, std::string> environment;  ///< [supervisord]'s, then its own: added to the supervisor's
  std::optional<mode_t> umask;        ///< none: the supervisor's
  std::string serverurl;              ///< SUPERVISOR_SERVER_URL; empty: the supervisor's socket (AUTO)
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::kUnexpected;
  std::vector<int> exitcodes{0};
  int startsecs = 1;
  int startretries = 3;
  int stopsignal = SIGTERM;
  int stopwaitsecs = 10;
  bool stopasgroup = true;    ///< stopsignal goes to the whole process group (dkm's default)
  bool killasgroup = true;    ///< SIGKILL goes to the whole process group (default: stopasgroup's)
  bool redirect_stderr = false;
  LogTarget stdout_log;
  LogTarget stderr_log;       ///< by default a file of its own (run/NAME-stderr.log), as supervisord's AUTO
  int priority = 999;         ///< start order (lower first), stop order reversed
  int group_priority = 999;   ///< its group's: [group:NAME]'s priority, else the program's
  ReadyProbe ready;

  /// Equal when a running service would not notice a difference (reload compares these).
  bool operator==(const ProgramConfig&) const = default;
  /// The start order: by group priority, then priority (as supervisord orders processes).
  std::pair<int, int> rank() const { return {group_priority, priority}; }
};

/// A parsed services file.
struct ServicesFile {
  fs::path path;
  std::map<std::string, ProgramConfig> programs;  ///< by name
  std::map<std::string, std::string> origins;     ///< program name -> "FILE:LINE" of its section
  std::vector<std::string> warnings;              ///< "FILE:LINE: ..." for what is ignored
  std::vector<fs::path> included;                 ///< the files [include] brought in, in reading order
  mode_t umask = 022;                             ///< [supervisord] umask: the supervisor's

  /// Program names by rank, then name (start order).
  std::vector<std::string> start_order() const;
};

/// One section of the file as written: values unexpanded and unchecked.
struct ServicesSection {
  std::string name;                                  ///< "program:carbonapi", "supervisord", ...
  long line = 0;                                     ///< the line of its header
  fs::path file;                                     ///< the file of its header (an included one, maybe)
  std::vector<std::pair<std::string, long>> keys;    ///< keys (lower case) in file order, with their lines
  std::map<std::string, std::string> values;         ///< key (lower case) -> value, inline comment dropped
};

/// Reads the sections of a services file's text (`path` names it in messages) and of the
/// files its [include] names. Throws UsageError("FILE:LINE: ...") when the text is not INI.
std::vector<ServicesSection> read_sections(const std::string& text, const fs::path& path);

/// What `%(...)s` may refer to besides the program's own names, and the account it runs as.
struct ExpansionContext {
  std::map<std::string, std::string> env;  ///< ENV_X values
  fs::path install_root;                   ///< default `directory`; relative paths start there
  fs::path run_dir;                        ///< where AUTO logs go
  std::string host_name;                   ///< %(host_node_name)s
  std::string user_name;                   ///< the account dkm runs as: `user =` may name it only
  uid_t uid = 0;                           ///< its uid (`user =` may give it as a number)
};

/// The context of an install: this process's environment, DIR, DIR/run, host and account.
ExpansionContext expansion_context(const InstallLayout& layout);

/// Parses a services file's text; `path` names it in messages, gives %(here)s and the
/// directory [include] globs start from. Throws UsageError("FILE:LINE: ...").
ServicesFile parse_services_file(const std::string& text, const fs::path& path, const ExpansionContext& ctx);

/// Reads and parses an install's services file (DIR/conf/services.ini); `env` is what
/// %(ENV_X)s sees (service_base_environment()).
ServicesFile load_services_file(const InstallLayout& layout, const std::map<std::string, std::string>& env);

/// `startup_env`, then DIR/bin/env when it exists, then DKM_HOME=DIR: the environment
/// services start from and %(ENV_X)s sees. Throws Error naming the env file and line.
std::map<std::string, std::string> service_base_environment(const InstallLayout& layout,
                                                            const std::map<std::string, std::string>& startup_env);

}  // namespace dkm::supervise

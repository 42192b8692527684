#pragma once
// dkm's services file (DIR/conf/services.ini): supervisord's INI syntax, read with
// Boost.PropertyTree, then checked key by key. Errors name the file and line: the
// library parses, and a small index of the text tells where each section and key is.
// read_sections() is the one reader of the file: the checked parse below and the
// installer's update (which asks what an edited file declares) both go through it.
//
//   [program:NAME]          command (required), directory, environment, autostart,
//                           autorestart, exitcodes, startsecs, startretries, stopsignal,
//                           stopwaitsecs, stopasgroup, killasgroup, redirect_stderr,
//                           stdout_logfile(_maxbytes, _backups), stderr_logfile(...),
//                           priority, and dkm's own `ready = tcp:HOST:PORT | command ...`
//   [supervisord] ...       sections dkm does not need: reported and ignored
// Implementation: libdkm/src/supervise/services_file.cpp.

#include <dkm/core/install_layout.hpp>

#include <csignal>
#include <cstdint>
#include <map>
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

/// One log destination: a path (empty = discard) with its rotation settings.
struct LogTarget {
  fs::path path;                                ///< empty: output is discarded (NONE)
  std::uint64_t max_bytes = 50 * 1024 * 1024;   ///< rotate before a file would exceed this; 0 = never
  int backups = 10;                             ///< rotated files kept (NAME.log.1 ...)

  /// Equal when both write the same file the same way.
  bool operator==(const LogTarget&) const = default;
};

/// One `[program:NAME]` section, values expanded and checked.
struct ProgramConfig {
  std::string name;
  std::vector<std::string> command;   ///< argv, split like a shell would
  std::string command_text;           ///< as written (after expansion)
  fs::path directory;                 ///< working directory
  std::map<std::string, std::string> environment;  ///< added to the supervisor's environment
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::kUnexpected;
  std::vector<int> exitcodes{0};
  int startsecs = 1;
  int startretries = 3;
  int stopsignal = SIGTERM;
  int stopwaitsecs = 10;
  bool stopasgroup = true;    ///< stopsignal goes to the whole process group (dkm's default)
  bool killasgroup = true;    ///< SIGKILL goes to the whole process group (dkm's default)
  bool redirect_stderr = false;
  LogTarget stdout_log;
  LogTarget stderr_log;       ///< the same path as stdout_log unless set: one NAME.log
  int priority = 999;         ///< start order (lower first), stop order reversed
  ReadyProbe ready;

  /// Equal when a running service would not notice a difference (reload compares these).
  bool operator==(const ProgramConfig&) const = default;
};

/// A parsed services file.
struct ServicesFile {
  fs::path path;
  std::map<std::string, ProgramConfig> programs;  ///< by name
  std::map<std::string, long> lines;              ///< program name -> line of its section
  std::vector<std::string> warnings;              ///< "FILE:LINE: ..." for ignored sections

  /// Program names by priority, then name (start order).
  std::vector<std::string> start_order() const;
};

/// One section of the file as written: values unexpanded and unchecked.
struct ServicesSection {
  std::string name;                                  ///< "program:carbonapi", "supervisord", ...
  long line = 0;                                     ///< the line of its header
  std::vector<std::pair<std::string, long>> keys;    ///< keys (lower case) in file order, with their lines
  std::map<std::string, std::string> values;         ///< key (lower case) -> value, inline comment dropped
};

/// Reads the sections of a services file's text (`path` names it in messages). Throws
/// UsageError("FILE:LINE: ...") when the text is not INI or a key is outside any section.
std::vector<ServicesSection> read_sections(const std::string& text, const fs::path& path);

/// What `%(...)s` may refer to besides the program's own name.
struct ExpansionContext {
  std::map<std::string, std::string> env;  ///< ENV_X values
  fs::path install_root;                   ///< default `directory`
  fs::path run_dir;                        ///< default log directory
  std::string host_name;                   ///< %(host_node_name)s
};

/// The context of an install: this process's environment, DIR and DIR/run.
ExpansionContext expansion_context(const InstallLayout& layout);

/// Parses a services file's text; `path` names it in messages and gives %(here)s.
/// Throws UsageError("FILE:LINE: ...") for anything it cannot accept.
ServicesFile parse_services_file(const std::string& text, const fs::path& path, const ExpansionContext& ctx);

/// Reads and parses an install's services file (DIR/conf/services.ini); `env` is what
/// %(ENV_X)s sees (service_base_environment()).
ServicesFile load_services_file(const InstallLayout& layout, const std::map<std::string, std::string>& env);

/// `startup_env`, then DIR/bin/env when it exists, then DKM_HOME=DIR: the environment
/// services start from and %(ENV_X)s sees. Throws Error naming the env file and line.
std::map<std::string, std::string> service_base_environment(const InstallLayout& layout,
                                                            const std::map<std::string, std::string>& startup_env);

}  // namespace dkm::supervise

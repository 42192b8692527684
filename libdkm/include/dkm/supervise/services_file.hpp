#pragma once
// dkm's services file (DIR/conf/services.ini): supervisord's INI syntax, read with
// Boost.PropertyTree, then checked key by key. Errors name the file and line: the
// library parses, and a small index of the text tells where each section and key is.
//
//   [program:NAME]          command (required), directory, environment, autostart,
//                           autorestart, exitcodes, startsecs, startretries, stopsignal,
//                           stopwaitsecs, stopasgroup, killasgroup, redirect_stderr,
//                           stdout_logfile(_maxbytes, _backups), stderr_logfile(...),
//                           priority, and dkm's own `ready = tcp:HOST:PORT | command ...`
//   [supervisord] ...       sections dkm does not need: reported and ignored

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/supervise/config_values.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/service_environment.hpp>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
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
  std::vector<std::string> start_order() const {
    std::vector<std::string> names;
    for (const auto& [name, _] : programs) names.push_back(name);
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return programs.at(a).priority < programs.at(b).priority;
    });
    return names;
  }
};

/// What `%(...)s` may refer to besides the program's own name.
struct ExpansionContext {
  std::map<std::string, std::string> env;  ///< ENV_X values
  fs::path install_root;                   ///< default `directory`
  fs::path run_dir;                        ///< default log directory
  std::string host_name;                   ///< %(host_node_name)s
};

/// The context of an install: this process's environment, DIR and DIR/run.
inline ExpansionContext expansion_context(const InstallLayout& layout) {
  ExpansionContext ctx;
  ctx.env = current_environment();
  ctx.install_root = layout.root();
  ctx.run_dir = layout.run();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) ctx.host_name = host;
  return ctx;
}

namespace detail {

/// Where each section and key of an INI text is: the library tells what, this tells where.
class IniLineIndex {
 public:
  /// Indexes `text` the way PropertyTree reads it (comments ';' '#', [section], key = value).
  explicit IniLineIndex(const std::string& text) {
    long line_no = 0;
    std::string section;
    for (const auto& raw : split(text, '\n')) {
      ++line_no;
      std::string_view line = trim(raw);
      if (line.empty() || line.front() == ';' || line.front() == '#') continue;
      if (line.front() == '[') {
        size_t end = line.find(']');
        section = std::string(trim(line.substr(1, end == std::string_view::npos ? line.npos : end - 1)));
        sections_.emplace_back(section, line_no);
        continue;
      }
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      keys_.push_back({section, lower(trim(line.substr(0, eq))), line_no});
    }
  }

  /// Sections in file order with their header lines (empty ones included).
  const std::vector<std::pair<std::string, long>>& sections() const { return sections_; }

  /// The line of `key` (lower case) in `section`; 0 when absent.
  long key_line(const std::string& section, const std::string& key) const {
    for (const auto& k : keys_)
      if (k.section == section && k.key == key) return k.line;
    return 0;
  }

  /// The lines of every key of `section`, in order, as (key, line).
  std::vector<std::pair<std::string, long>> keys_of(const std::string& section) const {
    std::vector<std::pair<std::string, long>> out;
    for (const auto& k : keys_)
      if (k.section == section) out.emplace_back(k.key, k.line);
    return out;
  }

 private:
  struct Key {
    std::string section, key;
    long line;
  };
  std::vector<std::pair<std::string, long>> sections_;
  std::vector<Key> keys_;
};

/// supervisord sections that make sense for supervisord only: reported and skipped.
inline bool is_ignored_section(const std::string& name) {
  static const std::set<std::string> exact{"supervisord", "supervisorctl", "unix_http_server", "inet_http_server",
                                           "include"};
  if (exact.count(name)) return true;
  for (const char* prefix : {"rpcinterface:", "group:", "eventlistener:", "fcgi-program:"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

/// Names reserved by dkm's files (run/dkm.*) or its command line ("all").
inline void check_program_name(const std::string& name) {
  if (name.empty()) throw ValueError("a program needs a name: [program:NAME]");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      throw ValueError("program name '" + name + "' may only hold letters, digits, '_', '-' and '.'");
  if (name == "all" || name == "dkm" || name.front() == '.')
    throw ValueError("program name '" + name + "' is reserved");
}

/// Parses `ready = tcp:HOST:PORT` or `ready = command ARGS...`.
inline ReadyProbe parse_ready(const std::string& text) {
  ReadyProbe probe;
  probe.text = text;
  if (text.rfind("tcp:", 0) == 0) {
    std::string rest = text.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) throw ValueError("'" + text + "' is not tcp:HOST:PORT");
    probe.kind = ReadyProbe::Kind::kTcp;
    probe.host = rest.substr(0, colon);
    if (probe.host.size() > 2 && probe.host.front() == '[' && probe.host.back() == ']')
      probe.host = probe.host.substr(1, probe.host.size() - 2);
    try {
      probe.port = static_cast<int>(parse_count(rest.substr(colon + 1), 65535));
    } catch (const ValueError&) {
      throw ValueError("'" + text + "' has a bad port (1-65535)");
    }
    if (probe.port == 0) throw ValueError("'" + text + "' has a bad port (1-65535)");
    return probe;
  }
  if (text.rfind("command ", 0) == 0 || text.rfind("command\t", 0) == 0) {
    probe.kind = ReadyProbe::Kind::kCommand;
    probe.argv = split_command(text.substr(8));
    return probe;
  }
  throw ValueError("'" + text + "' is not a probe: use tcp:HOST:PORT or command ARGS...");
}

}  // namespace detail

/// Parses a services file's text; `path` names it in messages and gives %(here)s.
/// Throws UsageError("FILE:LINE: ...") for anything it cannot accept.
inline ServicesFile parse_services_file(const std::string& text, const fs::path& path, const ExpansionContext& ctx) {
  namespace pt = boost::property_tree;
  const std::string file = path.string();
  pt::ptree tree;
  try {
    std::istringstream in(text);
    pt::read_ini(in, tree);
  } catch (const pt::ini_parser_error& e) {
    throw UsageError(at_line(file, static_cast<long>(e.line()), e.message()));
  }
  detail::IniLineIndex index(text);

  ServicesFile result;
  result.path = path;
  if (auto outside = index.keys_of(""); !outside.empty())
    throw UsageError(at_line(file, outside.front().second, "'" + outside.front().first + "' is outside any section"));
  const fs::path here = fs::absolute(path).parent_path();

  for (const auto& [section, header_line] : index.sections()) {
    if (detail::is_ignored_section(section)) {
      result.warnings.push_back(at_line(file, header_line, "[" + section + "] is not used by dkm; ignored"));
      continue;
    }
    if (section.rfind("program:", 0) != 0)
      throw UsageError(at_line(file, header_line, "unknown section [" + section + "]"));
    const std::string name = section.substr(8);
    try {
      detail::check_program_name(name);
    } catch (const ValueError& e) {
      throw UsageError(at_line(file, header_line, e.what()));
    }
    // PropertyTree drops empty sections; an empty one still names a program without a command.
    auto child = tree.get_child_optional(pt::ptree::path_type(section, '\0'));
    std::map<std::string, std::string> values;
    if (child) {
      for (const auto& [key, node] : *child) values[lower(key)] = strip_inline_comment(node.data());
    }

    ProgramConfig cfg;
    cfg.name = name;
    cfg.directory = ctx.install_root;
    cfg.stdout_log.path = ctx.run_dir / (name + ".log");
    auto lookup = [&](const std::string& var) -> std::optional<std::string> {
      if (var == "program_name" || var == "group_name" || var == "process_name") return name;
      if (var == "here") return here.string();
      if (var == "host_node_name") return ctx.host_name;
      if (var == "process_num") return std::string("0");
      if (var.rfind("ENV_", 0) == 0) {
        if (auto it = ctx.env.find(var.substr(4)); it != ctx.env.end()) return it->second;
      }
      return std::nullopt;
    };

    bool stderr_set = false, stderr_size_set = false, stderr_backups_set = false;
    std::set<std::string> seen;
    for (const auto& [key, key_line] : index.keys_of(section)) {
      if (!seen.insert(key).second)  // keys are case-insensitive, as in supervisord
        throw UsageError(at_line(file, key_line, "[" + section + "] duplicate key '" + key + "'"));
      const std::string& raw = values[key];
      auto fail = [&, line = key_line](const std::string& why) {
        throw UsageError(at_line(file, line, "[" + section + "] " + key + ": " + why));
      };
      try {
        std::string v = expand_percent(raw, lookup);
        if (key == "command") {
          cfg.command = split_command(v);
          cfg.command_text = v;
        } else if (key == "directory") {
          cfg.directory = v.empty() ? ctx.install_root : fs::path(v);
        } else if (key == "environment") {
          cfg.environment = parse_environment_list(v);
        } else if (key == "autostart") {
          cfg.autostart = parse_bool(v);
        } else if (key == "autorestart") {
          std::string a = lower(trim(v));
          if (a == "unexpected") cfg.autorestart = AutoRestart::kUnexpected;
          else cfg.autorestart = parse_bool(a) ? AutoRestart::kTrue : AutoRestart::kFalse;
        } else if (key == "exitcodes") {
          cfg.exitcodes = parse_exit_codes(v);
        } else if (key == "startsecs") {
          cfg.startsecs = static_cast<int>(parse_count(v, 86400));
        } else if (key == "startretries") {
          cfg.startretries = static_cast<int>(parse_count(v, 1000));
        } else if (key == "stopsignal") {
          cfg.stopsignal = parse_signal(v);
        } else if (key == "stopwaitsecs") {
          cfg.stopwaitsecs = static_cast<int>(parse_count(v, 86400));
        } else if (key == "stopasgroup") {
          cfg.stopasgroup = parse_bool(v);
        } else if (key == "killasgroup") {
          cfg.killasgroup = parse_bool(v);
        } else if (key == "redirect_stderr") {
          cfg.redirect_stderr = parse_bool(v);
        } else if (key == "stdout_logfile" || key == "stderr_logfile") {
          std::string u = lower(trim(v));
          fs::path p = u == "none" ? fs::path() : u == "auto" ? ctx.run_dir / (name + ".log") : fs::path(v);
          if (!p.empty() && p.is_relative()) p = here / p;
          if (key == "stdout_logfile") cfg.stdout_log.path = p;
          else {
            cfg.stderr_log.path = p;
            stderr_set = true;
          }
        } else if (key == "stdout_logfile_maxbytes") {
          cfg.stdout_log.max_bytes = parse_byte_size(v);
        } else if (key == "stdout_logfile_backups") {
          cfg.stdout_log.backups = static_cast<int>(parse_count(v, 1000));
        } else if (key == "stderr_logfile_maxbytes") {
          cfg.stderr_log.max_bytes = parse_byte_size(v);
          stderr_size_set = true;
        } else if (key == "stderr_logfile_backups") {
          cfg.stderr_log.backups = static_cast<int>(parse_count(v, 1000));
          stderr_backups_set = true;
        } else if (key == "priority") {
          cfg.priority = static_cast<int>(parse_count(v, 1'000'000));
        } else if (key == "ready") {
          cfg.ready = detail::parse_ready(std::string(trim(v)));
        } else {
          fail("unknown key '" + key + "'");
        }
      } catch (const ValueError& e) {
        fail(e.what());
      }
    }
    if (cfg.command.empty())
      throw UsageError(at_line(file, header_line, "[" + section + "] has no command"));
    if (cfg.directory.is_relative()) cfg.directory = here / cfg.directory;
    // stderr shares NAME.log (and its rotation) unless it was given a file of its own.
    if (!stderr_set || cfg.stderr_log.path == cfg.stdout_log.path) {
      cfg.stderr_log = cfg.stdout_log;
    } else {
      if (!stderr_size_set) cfg.stderr_log.max_bytes = cfg.stdout_log.max_bytes;
      if (!stderr_backups_set) cfg.stderr_log.backups = cfg.stdout_log.backups;
    }
    result.lines[name] = header_line;
    result.programs.emplace(name, std::move(cfg));
  }
  return result;
}

/// Reads and parses an install's services file (DIR/conf/services.ini); `env` is what
/// %(ENV_X)s sees (see service_environment.hpp).
inline ServicesFile load_services_file(const InstallLayout& layout, const std::map<std::string, std::string>& env) {
  fs::path path = layout.services_file();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw UsageError(path.string() + ": no services file (the installer writes it)");
  ExpansionContext ctx = expansion_context(layout);
  ctx.env = env;
  return parse_services_file(read_file(path), path, ctx);
}

}  // namespace dkm::supervise

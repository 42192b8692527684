// One [program:NAME] section into its processes, the way supervisord reads it.
#include "program_reader.hpp"

#include "config_values.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace dkm::supervise {

namespace {

/// Every key supervisord reads in a [program:NAME] section, and dkm's own `ready`.
const std::set<std::string>& program_keys() {
  static const std::set<std::string> keys{
      "command", "process_name", "numprocs", "numprocs_start", "directory", "umask", "user", "environment",
      "priority", "autostart", "autorestart", "startsecs", "startretries", "exitcodes", "stopsignal",
      "stopwaitsecs", "stopasgroup", "killasgroup", "redirect_stderr", "serverurl", "ready",
      "stdout_logfile", "stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_capture_maxbytes",
      "stdout_events_enabled", "stdout_syslog", "stderr_logfile", "stderr_logfile_maxbytes",
      "stderr_logfile_backups", "stderr_capture_maxbytes", "stderr_events_enabled", "stderr_syslog"};
  return keys;
}

/// Parses `ready = tcp:HOST:PORT` or `ready = command ARGS...`.
ReadyProbe parse_ready(const std::string& text) {
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

/// supervisord's name of a process: PROCESS when it is its group's name, else GROUP:PROCESS.
std::string namespec(const std::string& group, const std::string& process) {
  return group == process ? process : group + ":" + process;
}

/// The values of one program's section ([DEFAULT]'s as fallback), expanded with the
/// names of the process being read.
class ProgramValues {
 public:
  ProgramValues(const IniDocument& doc, const IniSection& section, const ProgramDefaults& defaults,
                const GroupOf& group)
      : doc_(doc), section_(section), defaults_(defaults), program_(section.name.substr(8)), group_(group.name) {}

  const std::string& program() const { return program_; }
  const std::string& group() const { return group_; }
  const IniSection& section() const { return section_; }

  /// The keys given, in file order: the section's own, then [DEFAULT]'s that programs know.
  std::vector<std::string> keys() const {
    std::vector<std::string> out = section_.keys;
    for (const auto& k : doc_.defaults.keys)
      if (!section_.find(k) && program_keys().count(k)) out.push_back(k);
    return out;
  }
  /// The value of `key` as written, or nullptr.
  const IniValue* raw(const std::string& key) const { return doc_.value(section_.name, key); }

  /// Throws the error of `key`, naming the file and line that gave it.
  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    const IniValue* v = raw(key);
    throw UsageError(at_line((v ? v->file : section_.file).string(), v ? v->line : section_.line,
                             "[" + section_.name + "] " + (key.empty() ? "" : key + ": ") + why));
  }

  /// `key`'s value, expanded; nothing when it is not given.
  std::optional<std::string> get(const std::string& key) const {
    const IniValue* v = raw(key);
    if (!v) return std::nullopt;
    return expand(key, v->text);
  }
  /// `text`, written as `key`'s value, expanded.
  std::string expand(const std::string& key, const std::string& text) const {
    const IniValue* v = raw(key);
    fs::path here = (v ? v->file : section_.file).parent_path();
    try {
      return expand_percent(text, [&](const std::string& var) { return lookup(var, here); });
    } catch (const ValueError& e) {
      fail(key, e.what());
    }
  }
  /// "FILE:LINE: [SECTION] message", at `key`'s line.
  std::string warning(const std::string& key, const std::string& message) const {
    const IniValue* v = raw(key);
    return at_line((v ? v->file : section_.file).string(), v ? v->line : section_.line,
                   "[" + section_.name + "] " + message);
  }

  /// The process being read: its number and the group's size.
  void set_process(long long num, long long count) {
    process_num_ = num;
    numprocs_ = count;
  }
  /// The program's own environment, as ENV_X from now on.
  void set_own_environment(const std::map<std::string, std::string>& env) { own_env_ = env; }

 private:
  std::optional<PercentValue> lookup(const std::string& var, const fs::path& here) const {
    if (var == "program_name") return program_;
    if (var == "group_name") return group_;
    if (var == "here") return here.string();
    if (var == "host_node_name") return defaults_.ctx.host_name;
    if (var == "process_num" && process_num_) return *process_num_;
    if (var == "numprocs" && numprocs_) return *numprocs_;
    if (var.rfind("ENV_", 0) != 0) return std::nullopt;
    for (const auto* env : {&own_env_, &defaults_.env})
      if (auto it = env->find(var.substr(4)); it != env->end()) return it->second;
    return std::nullopt;
  }

  const IniDocument& doc_;
  const IniSection& section_;
  const ProgramDefaults& defaults_;
  std::string program_, group_;
  std::optional<long long> process_num_, numprocs_;
  std::map<std::string, std::string> own_env_;
};

/// One process being read: its config and the log keys given.
struct ProcessReader {
  ProcessReader(const ProgramValues& v, const ProgramDefaults& d) : values(v), defaults(d) {}

  const ProgramValues& values;
  const ProgramDefaults& defaults;
  ProgramConfig cfg;
  std::optional<bool> stopasgroup, killasgroup;

  /// A path as written, relative ones from the default directory (supervisord: its own).
  fs::path absolute(const std::string& v) const {
    fs::path p(v);
    return p.is_relative() ? defaults.directory / p : p;
  }

  /// Applies one key of the process itself; false when `key` is not one.
  bool apply_process_key(const std::string& key, const std::string& v) {
    if (key == "command") {
      cfg.command = split_command(v);
      cfg.command_text = v;
    } else if (key == "directory") {
      cfg.directory = v.empty() ? defaults.directory : absolute(v);
    } else if (key == "umask") {
      cfg.umask = parse_umask(v);
    } else if (key == "user") {
      check_user(trim(v));
    } else if (key == "serverurl") {
      cfg.serverurl = lower(trim(v)) == "auto" ? std::string() : std::string(trim(v));
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
      stopasgroup = parse_bool(v);
    } else if (key == "killasgroup") {
      killasgroup = parse_bool(v);
    } else if (key == "priority") {
      cfg.priority = static_cast<int>(parse_count(v, 1'000'000));
    } else if (key == "ready") {
      cfg.ready = parse_ready(std::string(trim(v)));
    } else {
      return false;
    }
    return true;
  }

  /// Applies one key of its output; false when `key` is not one.
  bool apply_output_key(const std::string& key, const std::string& v) {
    bool is_stderr = key.rfind("stderr_", 0) == 0;
    if (key == "redirect_stderr") {
      cfg.redirect_stderr = parse_bool(v);
      return true;
    }
    if (!is_stderr && key.rfind("stdout_", 0) != 0) return false;
    LogTarget& log = is_stderr ? cfg.stderr_log : cfg.stdout_log;
    std::string what = key.substr(7);
    if (what == "logfile") return true;  // after every other key: finish_logs()
    if (what == "logfile_maxbytes") log.max_bytes = parse_byte_size(v);
    else if (what == "logfile_backups") log.backups = static_cast<int>(parse_count(v, 1000));
    else if (what == "syslog") log.syslog = log.syslog || parse_bool(v);
    else if (what == "capture_maxbytes") parse_byte_size(v);  // capture mode feeds event listeners: none here
    else if (what == "events_enabled") parse_bool(v);         // likewise
    else return false;
    return true;
  }

  /// `user =`: dkm runs its programs as its own account only.
  void check_user(std::string_view user) const {
    const auto& ctx = defaults.ctx;
    if (user == ctx.user_name || user == std::to_string(ctx.uid)) return;
    throw ValueError("'" + std::string(user) + "': dkm runs every program as its own account (" + ctx.user_name +
                     "); leave `user` out, or run dkm as " + std::string(user));
  }

  /// The log files, once every other key is read (supervisord's AUTO, NONE and syslog).
  void finish_logs(std::vector<std::string>& warnings) {
    for (bool is_stderr : {false, true}) {
      const std::string stream = is_stderr ? "stderr" : "stdout", key = stream + "_logfile";
      LogTarget& log = is_stderr ? cfg.stderr_log : cfg.stdout_log;
      std::string v = values.get(key).value_or("AUTO");
      std::string u = lower(trim(v));
      if (u == "none") {
        log.path.clear();
      } else if (u == "auto") {
        log.path = defaults.ctx.run_dir / (cfg.name + (is_stderr ? "-stderr.log" : ".log"));
      } else if (u == "syslog") {
        log.path.clear();
        log.syslog = true;
        warnings.push_back(values.warning(key, key + " = syslog is deprecated; use " + stream + "_syslog = true"));
      } else {
        log.path = absolute(v);
      }
    }
    if (!cfg.redirect_stderr) return;
    auto stderr_file = values.get("stderr_logfile");
    if (stderr_file && lower(trim(*stderr_file)) != "auto" && lower(trim(*stderr_file)) != "none")
      warnings.push_back(values.warning("stderr_logfile", "redirect_stderr = true: stderr_logfile is ignored"));
    cfg.stderr_log = LogTarget{};  // stderr goes into stdout's pipe, and its log
  }

  /// stopasgroup and killasgroup: killasgroup follows stopasgroup (supervisord), and dkm's
  /// default for both is true unless killasgroup = false alone says otherwise.
  void finish_groups() {
    bool stop = stopasgroup.value_or(killasgroup.value_or(true));
    bool kill = killasgroup.value_or(stop);
    if (stop && !kill) values.fail("killasgroup", "cannot be false while stopasgroup is true");
    cfg.stopasgroup = stop;
    cfg.killasgroup = kill;
  }
};

/// A count key of the section (numprocs, numprocs_start), `fallback` when absent.
long long count_of(const ProgramValues& values, const std::string& key, long long fallback) {
  auto v = values.get(key);
  if (!v) return fallback;
  try {
    return parse_count(*v, 10'000);
  } catch (const ValueError& e) {
    values.fail(key, e.what());
  }
}

/// One process of the program: number `num` of `count`.
ProgramConfig read_process(ProgramValues& values, const ProgramDefaults& defaults, const GroupOf& group,
                           const std::string& name_template, long long num, long long count,
                           std::vector<std::string>& warnings) {
  values.set_process(num, count);
  values.set_own_environment({});
  ProcessReader reader(values, defaults);
  ProgramConfig& cfg = reader.cfg;
  cfg.group = group.name;
  cfg.directory = defaults.directory;
  cfg.environment = defaults.environment;
  if (auto text = values.get("environment")) {
    std::map<std::string, std::string> own;
    try {
      own = parse_environment_list(*text);
    } catch (const ValueError& e) {
      values.fail("environment", e.what());
    }
    for (const auto& [k, v] : own) cfg.environment[k] = v;
    values.set_own_environment(own);
  }
  cfg.process_name = values.expand("process_name", name_template);
  cfg.name = namespec(group.name, cfg.process_name);
  if (!is_valid_name(cfg.process_name) || cfg.name == "all" || cfg.name == "dkm")
    values.fail("process_name", "'" + cfg.name + "' cannot name a process");
  for (const auto& key : values.keys()) {
    if (key == "environment" || key == "process_name" || key == "numprocs" || key == "numprocs_start") continue;
    auto v = values.get(key).value_or("");
    try {
      if (!reader.apply_process_key(key, v) && !reader.apply_output_key(key, v)) values.fail(key, "unknown key '" + key + "'");
    } catch (const ValueError& e) {
      values.fail(key, e.what());
    }
  }
  if (cfg.command.empty()) values.fail("", "has no command");
  cfg.group_priority = group.priority.value_or(cfg.priority);
  reader.finish_groups();
  reader.finish_logs(warnings);
  return cfg;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == ':' || c == '/' || std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c));
  });
}

std::vector<ProgramConfig> read_program(const IniDocument& doc, const IniSection& section, const GroupOf& group,
                                        const ProgramDefaults& defaults, std::vector<std::string>& warnings) {
  ProgramValues values(doc, section, defaults, group);
  const std::string& program = values.program();
  if (!is_valid_name(program) || program == "all" || program == "dkm")
    values.fail("", "'" + program + "' cannot name a program (no blank, ':' or '/', no leading '.', not all or dkm)");
  for (const auto& key : values.keys())
    if (!program_keys().count(key)) values.fail(key, "unknown key '" + key + "'");
  long long count = count_of(values, "numprocs", 1);
  long long start = count_of(values, "numprocs_start", 0);
  const IniValue* name_value = values.raw("process_name");
  std::string name_template = name_value ? name_value->text : "%(program_name)s";
  if (count > 1 && name_template.find("%(process_num)") == std::string::npos)
    values.fail("numprocs", "more than 1 needs %(process_num)... in process_name");
  if (count == 0) warnings.push_back(at_line(section.file.string(), section.line, "[" + section.name + "] numprocs = 0: no process"));
  std::vector<ProgramConfig> out;
  for (long long num = start; num < start + count; ++num)
    out.push_back(read_process(values, defaults, group, name_template, num, count, warnings));
  return out;
}

}  // namespace dkm::supervise

// dkm's services file: the one reader of services.ini, and the checks of each program.
#include <dkm/supervise/services_file.hpp>

#include "config_values.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

namespace dkm::supervise {

namespace {

/// Where each section and key of an INI text is: the library tells what, this tells where.
/// Sections in file order (empty ones included) with their header lines and their keys.
std::vector<ServicesSection> index_sections(const std::string& text, std::vector<std::pair<std::string, long>>& outside) {
  std::vector<ServicesSection> sections;
  long line_no = 0;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    if (line.front() == '[') {
      size_t end = line.find(']');
      sections.push_back({std::string(trim(line.substr(1, end == std::string_view::npos ? line.npos : end - 1))), line_no, {}, {}});
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    auto& keys = sections.empty() ? outside : sections.back().keys;
    keys.emplace_back(lower(trim(line.substr(0, eq))), line_no);
  }
  return sections;
}

/// supervisord sections that make sense for supervisord only: reported and skipped.
bool is_ignored_section(const std::string& name) {
  static const std::set<std::string> exact{"supervisord", "supervisorctl", "unix_http_server", "inet_http_server",
                                           "include"};
  if (exact.count(name)) return true;
  for (const char* prefix : {"rpcinterface:", "group:", "eventlistener:", "fcgi-program:"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

/// Names reserved by dkm's files (run/dkm.*) or its command line ("all").
void check_program_name(const std::string& name) {
  if (name.empty()) throw ValueError("a program needs a name: [program:NAME]");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      throw ValueError("program name '" + name + "' may only hold letters, digits, '_', '-' and '.'");
  if (name == "all" || name == "dkm" || name.front() == '.') throw ValueError("program name '" + name + "' is reserved");
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

/// One program being read: its config and which stderr settings were given.
struct ProgramReader {
  ProgramConfig cfg;
  const ExpansionContext& ctx;
  fs::path here;
  bool stderr_set = false, stderr_size_set = false, stderr_backups_set = false;

  /// The value of a `%(name)s` reference, or nothing when the name is unknown.
  std::optional<std::string> lookup(const std::string& var) const {
    if (var == "program_name" || var == "group_name" || var == "process_name") return cfg.name;
    if (var == "here") return here.string();
    if (var == "host_node_name") return ctx.host_name;
    if (var == "process_num") return std::string("0");
    if (var.rfind("ENV_", 0) == 0)
      if (auto it = ctx.env.find(var.substr(4)); it != ctx.env.end()) return it->second;
    return std::nullopt;
  }

  /// A log file key's path: NONE discards, AUTO is run/NAME.log, relative to the file's directory.
  fs::path log_path(const std::string& v) const {
    std::string u = lower(trim(v));
    fs::path p = u == "none" ? fs::path() : u == "auto" ? ctx.run_dir / (cfg.name + ".log") : fs::path(v);
    if (!p.empty() && p.is_relative()) p = here / p;
    return p;
  }

  /// Applies one key of the process itself; false when `key` is not one.
  bool apply_process_key(const std::string& key, const std::string& v) {
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
    if (key == "redirect_stderr") {
      cfg.redirect_stderr = parse_bool(v);
    } else if (key == "stdout_logfile") {
      cfg.stdout_log.path = log_path(v);
    } else if (key == "stderr_logfile") {
      cfg.stderr_log.path = log_path(v);
      stderr_set = true;
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
    } else {
      return false;
    }
    return true;
  }

  /// Defaults that depend on other keys, once every key is read.
  void finish() {
    if (cfg.directory.is_relative()) cfg.directory = here / cfg.directory;
    // stderr shares NAME.log (and its rotation) unless it was given a file of its own.
    if (!stderr_set || cfg.stderr_log.path == cfg.stdout_log.path) {
      cfg.stderr_log = cfg.stdout_log;
    } else {
      if (!stderr_size_set) cfg.stderr_log.max_bytes = cfg.stdout_log.max_bytes;
      if (!stderr_backups_set) cfg.stderr_log.backups = cfg.stdout_log.backups;
    }
  }
};

/// The program of one [program:NAME] section, checked key by key.
ProgramConfig read_program(const ServicesSection& section, const std::string& file, const fs::path& here,
                           const ExpansionContext& ctx) {
  ProgramReader reader{{}, ctx, here};
  reader.cfg.name = section.name.substr(8);
  try {
    check_program_name(reader.cfg.name);
  } catch (const ValueError& e) {
    throw UsageError(at_line(file, section.line, e.what()));
  }
  reader.cfg.directory = ctx.install_root;
  reader.cfg.stdout_log.path = ctx.run_dir / (reader.cfg.name + ".log");
  std::set<std::string> seen;
  for (const auto& [key, key_line] : section.keys) {
    auto fail = [&, line = key_line](const std::string& why) {
      throw UsageError(at_line(file, line, "[" + section.name + "] " + key + ": " + why));
    };
    if (!seen.insert(key).second)  // keys are case-insensitive, as in supervisord
      throw UsageError(at_line(file, key_line, "[" + section.name + "] duplicate key '" + key + "'"));
    try {
      auto raw = section.values.find(key);
      std::string v = expand_percent(raw == section.values.end() ? std::string() : raw->second,
                                     [&](const std::string& var) { return reader.lookup(var); });
      if (!reader.apply_process_key(key, v) && !reader.apply_output_key(key, v)) fail("unknown key '" + key + "'");
    } catch (const ValueError& e) {
      fail(e.what());
    }
  }
  if (reader.cfg.command.empty())
    throw UsageError(at_line(file, section.line, "[" + section.name + "] has no command"));
  reader.finish();
  return reader.cfg;
}

}  // namespace

std::vector<std::string> ServicesFile::start_order() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : programs) names.push_back(name);
  std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return programs.at(a).priority < programs.at(b).priority;
  });
  return names;
}

std::vector<ServicesSection> read_sections(const std::string& text, const fs::path& path) {
  namespace pt = boost::property_tree;
  const std::string file = path.string();
  pt::ptree tree;
  try {
    std::istringstream in(text);
    pt::read_ini(in, tree);
  } catch (const pt::ini_parser_error& e) {
    throw UsageError(at_line(file, static_cast<long>(e.line()), e.message()));
  }
  std::vector<std::pair<std::string, long>> outside;
  std::vector<ServicesSection> sections = index_sections(text, outside);
  if (!outside.empty())
    throw UsageError(at_line(file, outside.front().second, "'" + outside.front().first + "' is outside any section"));
  for (auto& section : sections) {
    // PropertyTree drops empty sections; an empty one still names a program without a command.
    auto child = tree.get_child_optional(pt::ptree::path_type(section.name, '\0'));
    if (child)
      for (const auto& [key, node] : *child) section.values[lower(key)] = strip_inline_comment(node.data());
  }
  return sections;
}

ExpansionContext expansion_context(const InstallLayout& layout) {
  ExpansionContext ctx;
  ctx.env = current_environment();
  ctx.install_root = layout.root();
  ctx.run_dir = layout.run();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) ctx.host_name = host;
  return ctx;
}

ServicesFile parse_services_file(const std::string& text, const fs::path& path, const ExpansionContext& ctx) {
  const std::string file = path.string();
  ServicesFile result;
  result.path = path;
  const fs::path here = fs::absolute(path).parent_path();
  for (const auto& section : read_sections(text, path)) {
    if (is_ignored_section(section.name)) {
      result.warnings.push_back(at_line(file, section.line, "[" + section.name + "] is not used by dkm; ignored"));
      continue;
    }
    if (section.name.rfind("program:", 0) != 0)
      throw UsageError(at_line(file, section.line, "unknown section [" + section.name + "]"));
    ProgramConfig cfg = read_program(section, file, here, ctx);
    result.lines[cfg.name] = section.line;
    std::string name = cfg.name;
    result.programs.emplace(name, std::move(cfg));
  }
  return result;
}

ServicesFile load_services_file(const InstallLayout& layout, const std::map<std::string, std::string>& env) {
  fs::path path = layout.services_file();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw UsageError(path.string() + ": no services file (the installer writes it)");
  ExpansionContext ctx = expansion_context(layout);
  ctx.env = env;
  return parse_services_file(read_file(path), path, ctx);
}

std::map<std::string, std::string> service_base_environment(const InstallLayout& layout,
                                                            const std::map<std::string, std::string>& startup_env) {
  auto env = startup_env;
  std::error_code ec;
  if (fs::is_regular_file(layout.env_file(), ec))
    for (auto& [k, v] : parse_env_file(read_file(layout.env_file()), layout.env_file().string())) env[k] = v;
  env["DKM_HOME"] = layout.root().string();
  return env;
}

}  // namespace dkm::supervise

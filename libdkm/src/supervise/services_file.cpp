// dkm's services file: the document (main file and [include]s), [supervisord], groups and programs.
#include <dkm/supervise/services_file.hpp>

#include "config_values.hpp"
#include "ini_reader.hpp"
#include "program_reader.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include <glob.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace dkm::supervise {

namespace {

/// supervisord sections that make sense for supervisord only: reported and skipped.
bool is_ignored_section(const std::string& name) {
  static const std::set<std::string> exact{"supervisorctl", "unix_http_server", "inet_http_server"};
  if (exact.count(name)) return true;
  for (const char* prefix : {"rpcinterface:", "eventlistener:", "fcgi-program:"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

/// "FILE:LINE: message" at a section's header.
std::string at_section(const IniSection& s, const std::string& message) { return at_line(s.file.string(), s.line, message); }

/// `value` of `section` expanded with what [supervisord] and [include] may use: here,
/// host_node_name and ENV_X.
std::string expand_global(const IniValue& value, const IniSection& section, const std::string& key,
                          const ExpansionContext& ctx, const std::map<std::string, std::string>& env) {
  try {
    return expand_percent(value.text, [&](const std::string& var) -> std::optional<PercentValue> {
      if (var == "here") return value.file.parent_path().string();
      if (var == "host_node_name") return ctx.host_name;
      if (var.rfind("ENV_", 0) == 0)
        if (auto it = env.find(var.substr(4)); it != env.end()) return it->second;
      return std::nullopt;
    });
  } catch (const ValueError& e) {
    throw UsageError(at_line(value.file.string(), value.line, "[" + section.name + "] " + key + ": " + e.what()));
  }
}

/// The files a pattern of [include] names, sorted; none when nothing matches.
std::vector<fs::path> glob_files(const fs::path& pattern) {
  std::vector<fs::path> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

/// Reads the files the main file's [include] names into `doc`, as supervisord does: its
/// `files` are globs separated by blanks, relative to the main file's directory; a
/// pattern that matches nothing is reported; an included file's own [include] is not followed.
void read_includes(IniDocument& doc, const fs::path& main, const ExpansionContext& ctx, std::vector<fs::path>& included,
                   std::vector<std::string>& warnings) {
  const IniSection* include = doc.find("include");
  if (!include) return;
  if (!include->find("files")) throw UsageError(at_section(*include, "[include] has no `files`"));
  // A copy: an included file's own [include] merges into this one (and is not followed).
  const IniValue files = *include->find("files");
  const std::string patterns = expand_global(files, *include, "files", ctx, ctx.env);
  const fs::path base = fs::absolute(main).parent_path();
  std::istringstream words(patterns);  // split on blanks, as Python's str.split()
  for (std::string word; words >> word;) {
    auto matches = glob_files(base / word);
    if (matches.empty())
      warnings.push_back(at_line(files.file.string(), files.line, "[include] no file matches " + (base / word).string()));
    for (const auto& file : matches) {
      std::string text;
      try {
        text = read_file(file);
      } catch (const Error&) {
        continue;  // supervisord skips a file it cannot read
      }
      read_ini(text, file, doc);
      included.push_back(file);
    }
  }
}

/// The main file and its includes as one document.
IniDocument read_document(const std::string& text, const fs::path& path, const ExpansionContext& ctx,
                          std::vector<fs::path>& included, std::vector<std::string>& warnings) {
  IniDocument doc;
  read_ini(text, path, doc);
  read_includes(doc, path, ctx, included, warnings);
  return doc;
}

/// [supervisord]: environment, umask and directory are dkm's too; the rest is reported.
ProgramDefaults read_supervisord(const IniDocument& doc, const ExpansionContext& ctx, ServicesFile& result) {
  ProgramDefaults defaults{ctx, ctx.env, {}, ctx.install_root};
  const IniSection* s = doc.find("supervisord");
  if (!s) return defaults;
  std::vector<std::string> unused;
  for (const auto& key : s->keys) {
    const IniValue& value = s->values.at(key);
    std::string v = expand_global(value, *s, key, ctx, ctx.env);
    try {
      if (key == "environment") defaults.environment = parse_environment_list(v);
      else if (key == "umask") result.umask = parse_umask(v);
      else if (key == "directory") defaults.directory = fs::path(v).is_relative() ? ctx.install_root / v : fs::path(v);
      else unused.push_back(key);
    } catch (const ValueError& e) {
      throw UsageError(at_line(value.file.string(), value.line, "[supervisord] " + key + ": " + e.what()));
    }
  }
  for (const auto& [k, v] : defaults.environment) defaults.env[k] = v;
  if (!unused.empty())
    result.warnings.push_back(at_section(*s, "[supervisord] " + join(unused, ", ") + ": not used by dkm (its own files are in " +
                                                 ctx.run_dir.string() + ")"));
  return defaults;
}

/// [group:NAME] sections: for each program, the groups that list it.
std::map<std::string, std::vector<GroupOf>> read_groups(const IniDocument& doc) {
  std::map<std::string, std::vector<GroupOf>> out;
  for (const auto& s : doc.sections) {
    if (s.name.rfind("group:", 0) != 0) continue;
    GroupOf group{s.name.substr(6), 999};
    if (!is_valid_name(group.name) || group.name == "all" || group.name == "dkm")
      throw UsageError(at_section(s, "'" + group.name + "' cannot name a group (no blank, ':' or '/', no leading '.', not all or dkm)"));
    for (const auto& key : s.keys)
      if (key != "programs" && key != "priority")
        throw UsageError(at_line(s.values.at(key).file.string(), s.values.at(key).line,
                                 "[" + s.name + "] " + key + ": unknown key '" + key + "' (a group has programs and priority)"));
    const IniValue* priority = s.find("priority");
    try {
      if (priority) group.priority = static_cast<int>(parse_count(priority->text, 1'000'000));
    } catch (const ValueError& e) {
      throw UsageError(at_line(priority->file.string(), priority->line, "[" + s.name + "] priority: " + e.what()));
    }
    const IniValue* programs = s.find("programs");
    for (const auto& part : programs ? split(programs->text, ',') : std::vector<std::string>{}) {
      std::string program(trim(part));
      if (program.empty()) continue;
      if (!doc.find("program:" + program))
        throw UsageError(at_line(programs->file.string(), programs->line, "[" + s.name + "] programs: no [program:" + program + "]"));
      out[program].push_back(group);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> ServicesFile::start_order() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : programs) names.push_back(name);
  std::stable_sort(names.begin(), names.end(),
                   [&](const std::string& a, const std::string& b) { return programs.at(a).rank() < programs.at(b).rank(); });
  return names;
}

std::vector<ServicesSection> read_sections(const std::string& text, const fs::path& path) {
  ExpansionContext ctx;
  ctx.env = current_environment();
  std::vector<fs::path> included;
  std::vector<std::string> warnings;
  IniDocument doc = read_document(text, path, ctx, included, warnings);
  std::vector<ServicesSection> out;
  for (const auto& s : doc.sections) {
    ServicesSection section{s.name, s.line, s.file, {}, {}};
    for (const auto& key : s.keys) {
      section.keys.emplace_back(key, s.values.at(key).line);
      section.values[key] = s.values.at(key).text;
    }
    out.push_back(std::move(section));
  }
  return out;
}

ExpansionContext expansion_context(const InstallLayout& layout) {
  ExpansionContext ctx;
  ctx.env = current_environment();
  ctx.install_root = layout.root();
  ctx.run_dir = layout.run();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) ctx.host_name = host;
  ctx.uid = ::geteuid();
  const passwd* pw = ::getpwuid(ctx.uid);
  ctx.user_name = pw ? pw->pw_name : std::to_string(ctx.uid);
  return ctx;
}

ServicesFile parse_services_file(const std::string& text, const fs::path& path, const ExpansionContext& ctx) {
  ServicesFile result;
  result.path = path;
  IniDocument doc = read_document(text, path, ctx, result.included, result.warnings);
  ProgramDefaults defaults = read_supervisord(doc, ctx, result);
  auto groups = read_groups(doc);
  for (const auto& section : doc.sections) {
    const std::string& name = section.name;
    if (is_ignored_section(name)) {
      result.warnings.push_back(at_section(section, "[" + name + "] is not used by dkm; ignored"));
      continue;
    }
    if (name == "supervisord" || name == "include" || name.rfind("group:", 0) == 0) continue;
    if (name.rfind("program:", 0) != 0) throw UsageError(at_section(section, "unknown section [" + name + "]"));
    auto in = groups.find(name.substr(8));
    auto member_of = in != groups.end() ? in->second : std::vector<GroupOf>{GroupOf{name.substr(8), std::nullopt}};
    for (const auto& group : member_of)
      for (auto& cfg : read_program(doc, section, group, defaults, result.warnings)) {
        result.origins[cfg.name] = section.file.string() + ":" + std::to_string(section.line);
        std::string key = cfg.name;
        result.programs.insert_or_assign(key, std::move(cfg));
      }
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

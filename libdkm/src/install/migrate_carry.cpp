// The settings a migration carries from an original install into the new conf/ and
// bin/env, and the summary lines of what it does not carry (migrate_plan.hpp).
#include <dkm/install/migrate_plan.hpp>

#include <dkm/core/strings.hpp>

#include "collectd_config.hpp"

#include <algorithm>
#include <regex>

namespace dkm::install {

namespace {

/// A grafana.ini key carried when the original's value differs from Grafana's default.
struct GrafanaKey {
  const char* section;
  const char* key;
  const char* grafana_default;
  bool path;  ///< a file path: made absolute (Grafana's home is now the bundle's)
};

const std::vector<GrafanaKey>& carried_grafana_keys() {
  static const std::vector<GrafanaKey> keys{
      {"server", "http_addr", "", false},          {"server", "protocol", "http", false},
      {"server", "domain", "localhost", false},    {"server", "root_url", "%(protocol)s://%(domain)s:%(http_port)s/", false},
      {"server", "enforce_domain", "false", false}, {"server", "cert_file", "", true},
      {"server", "cert_key", "", true},            {"users", "allow_sign_up", "false", false},
      {"users", "allow_org_create", "false", false}, {"users", "auto_assign_org", "true", false},
      {"users", "auto_assign_org_role", "Viewer", false}, {"users", "default_theme", "dark", false},
      {"auth", "disable_login_form", "false", false}, {"auth", "disable_signout_menu", "false", false},
      {"auth.basic", "enabled", "true", false},    {"auth.anonymous", "enabled", "false", false},
      {"auth.anonymous", "org_name", "Main Org.", false}, {"auth.anonymous", "org_role", "Viewer", false},
  };
  return keys;
}

/// Sections carried whole when the original enabled them (`enabled = true`).
const std::vector<std::string>& carried_grafana_sections() {
  static const std::vector<std::string> sections{"smtp",        "auth.ldap",          "auth.github",
                                                 "auth.google", "auth.generic_oauth", "auth.grafana_com",
                                                 "auth.grafananet", "auth.proxy"};
  return sections;
}

/// Keys of those sections that name files.
bool is_path_key(const std::string& key) {
  return key == "config_file" || key == "cert_file" || key == "key_file" || key == "cert_key";
}

/// An original path made absolute: relative to DIR (its Grafana's home and working
/// directory), and conf/... to where the old conf/ went.
std::string absolute_path(const OriginalInstall& o, const std::string& value, const std::string& conf_orig) {
  if (value.empty() || fs::path(value).is_absolute()) return value;
  fs::path p = fs::path(value).lexically_normal();
  if (!p.empty() && *p.begin() == "conf") p = fs::path(conf_orig) / p.lexically_relative("conf");
  return (o.dir / p).string();
}

/// The entry of `out.conf` at `path`, added (mode 0644) when absent.
TreeEntry& conf_entry(MigrationPlan& out, const fs::path& path) {
  for (auto& e : out.conf)
    if (e.path == path) return e;
  out.conf.push_back(TreeEntry::file(path, "", 0644));
  return out.conf.back();
}

bool has_entry(const MigrationPlan& out, const fs::path& path) {
  return std::any_of(out.conf.begin(), out.conf.end(), [&](const TreeEntry& e) { return e.path == path; });
}

/// Sets [security] and [database] from the original when Grafana has a database.
std::string carry_grafana_database(std::string text, const OriginalInstall& o, bool database, MigrationPlan& out) {
  const IniDocument& ini = *o.grafana_ini;
  if (database) {
    text = set_ini_value(text, "security", "admin_user", ini.value("security", "admin_user", "admin"));
    out.carried.push_back({"grafana.ini [security] secret_key, admin_user, admin_password",
                           "kept from the original: the database's accounts and passwords stay as they are (the admin "
                           "password you use today is unchanged; none is generated), and its secret key still "
                           "decrypts what the database stores"});
    if (out.plan.secret_key == "SW2YcwTIb9zpOOhoPsMm")
      out.notes.push_back({"Grafana's secret key", "it is Grafana's published default, as the original shipped it; "
                                                   "change it only with Grafana's secret re-encryption (grafana cli admin "
                                                   "secrets-migration), never by editing grafana.ini alone"});
  }
  std::string type = ini.value("database", "type", "sqlite3");
  if (const IniSection* db = ini.section("database"); db && (type != "sqlite3" || ini.value("database", "path", "grafana.db") != "grafana.db")) {
    std::vector<std::string> keys;
    for (const auto& e : db->entries) {
      text = set_ini_value(text, "database", e.key, e.value);
      keys.push_back(e.key);
    }
    out.carried.push_back({"grafana.ini [database]", type + " database: " + join(keys, ", ")});
  }
  return text;
}

}  // namespace

std::string carry_grafana_settings(const std::string& rendered, const OriginalInstall& o, bool database,
                                   const std::string& conf_orig, MigrationPlan& out) {
  if (!o.grafana_ini) return rendered;
  const IniDocument& ini = *o.grafana_ini;
  std::string text = carry_grafana_database(rendered, o, database, out);
  std::vector<std::string> carried;
  for (const auto& k : carried_grafana_keys()) {
    const IniEntry* e = ini.entry(k.section, k.key);
    if (!e || e->value == k.grafana_default) continue;
    text = set_ini_value(text, k.section, k.key, k.path ? absolute_path(o, e->value, conf_orig) : e->value);
    carried.push_back("[" + std::string(k.section) + "] " + k.key + " = " + e->value);
  }
  if (!carried.empty()) out.carried.push_back({"grafana.ini", join(carried, "; ")});
  std::vector<std::string> handled{"", "paths", "server", "users", "auth", "auth.basic", "auth.anonymous", "security",
                                   "database", "session"};
  for (const auto& name : carried_grafana_sections()) {
    const IniSection* s = ini.section(name);
    if (!s) continue;
    handled.push_back(name);
    if (ini.value(name, "enabled") != "true") continue;
    std::vector<std::string> keys;
    for (const auto& e : s->entries) {
      text = set_ini_value(text, name, e.key, is_path_key(e.key) ? absolute_path(o, e.value, conf_orig) : e.value);
      keys.push_back(e.key);
    }
    out.carried.push_back({"grafana.ini [" + name + "]", "enabled there: " + join(keys, ", ")});
  }
  std::vector<std::string> others;
  for (const auto& s : ini.sections())
    if (!s.entries.empty() && std::find(handled.begin(), handled.end(), s.name) == handled.end())
      others.push_back("[" + s.name + "]");
  if (ini.section("session"))
    out.not_carried.push_back({"grafana.ini [session]", "Grafana 12 keeps logins in its database; storage/sessions is "
                                                        "left as it was"});
  if (!others.empty())
    out.not_carried.push_back({"grafana.ini " + join(others, ", "),
                               "the bundle's settings and Grafana 12's defaults apply (Grafana 5's file: " + conf_orig +
                                   "/grafana.ini)"});
  return text;
}

void carry_collectd_files(const OriginalInstall& o, const std::set<std::string>& plugins, MigrationPlan& out) {
  if (!out.plan.has("collectd")) return;
  std::vector<std::string> replaced;
  for (const auto& f : o.collectd_files) {
    const auto& shipped = original_collectd_files();
    if (std::find(shipped.begin(), shipped.end(), f.name) != shipped.end()) {
      replaced.push_back(f.name);
      continue;
    }
    CollectdItem config = parse_collectd_config(f.text, f.name);
    std::set<std::string> named, loaded;
    for (const auto& item : config.children) {
      bool load = CollectdItem::same_key(item.key, "LoadPlugin");
      if ((load || CollectdItem::same_key(item.key, "Plugin")) && !item.values.empty())
        (load ? loaded : named).insert(item.values[0]);
    }
    named.insert(loaded.begin(), loaded.end());
    std::vector<std::string> missing, added;
    for (const auto& p : named) {
      if (!plugins.count(p)) missing.push_back(p);
      if (!loaded.count(p)) added.push_back(p);
    }
    std::string what = "conf/collectd.d/" + f.name;
    if (!missing.empty()) {
      out.not_carried.push_back({what, "plugin " + join(missing, ", ") + " is not among the new collectd's plugins (" +
                                           (out.plan.system_collectd.empty() ? "lib/collectd" : "the system's") +
                                           "); kept in " + out.conf_orig + "/collectd.d/"});
      continue;
    }
    std::string head = "# Carried from the original dkumonitor's conf/collectd.d/" + f.name + ".\n";
    for (const auto& p : added) head += "LoadPlugin " + p + "\n";  // the original loaded plugins by itself
    bool replaces = has_entry(out, what);
    conf_entry(out, what) = TreeEntry::file(what, head + f.text, 0644);
    out.carried.push_back({what, std::string(replaces ? "replaces the bundle's; " : "") +
                                     (added.empty() ? "as it was" : "LoadPlugin " + join(added, ", ") + " added (the "
                                                                    "original's AutoLoadPlugin loaded it)")});
  }
  if (!replaced.empty())
    out.converted.push_back({"conf/collectd.d/", join(replaced, ", ") + ": the bundle's own files take their place "
                                                 "(the original's are in " + out.conf_orig + "/collectd.d/)"});
}

void carry_env_site(const OriginalInstall& o, MigrationPlan& out) {
  if (!o.env_site) return;
  static const std::regex assignment(R"(^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$)");
  long line_no = 0;
  std::vector<std::string> names;
  for (const auto& raw : split(*o.env_site, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    std::string where = "bin/env-site:" + std::to_string(line_no);
    std::smatch m;
    std::string text(line);
    std::string value;
    bool plain = std::regex_match(text, m, assignment);
    if (plain) {
      std::string v = std::string(trim(m[3].str()));
      if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'' && v.find('\'', 1) == v.size() - 1) {
        value = v.substr(1, v.size() - 2);
      } else {
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        plain = v.find_first_of("$`\\\"'();&|<> \t") == std::string::npos;
        value = v;
      }
    }
    if (!plain) {
      out.not_carried.push_back({where, "'" + text + "' is not a plain NAME=VALUE (shell code is not run by dkm); "
                                        "kept in " + out.conf_orig + "/env-site"});
      continue;
    }
    std::string name = m[2].str();
    if (name.rfind("DKUMONITOR_", 0) == 0 || name.rfind("DKM_", 0) == 0) {
      out.not_carried.push_back({where, name + ": the install's own variable, set by this bundle"});
      continue;
    }
    out.env[name] = value;
    names.push_back(name);
  }
  if (!names.empty())
    out.carried.push_back({"bin/env", join(names, ", ") + " (from bin/env-site; dkm gives them to every service)"});
}

void carry_storage_and_dashboards(const OriginalInstall& o, MigrationPlan& out) {
  if (out.plan.has("go-carbon")) {
    if (o.storage_schemas) {
      conf_entry(out, "conf/storage-schemas.conf").content = *o.storage_schemas;
      std::string from = o.schemas_file == o.dir / "conf/storage-schemas.conf" ? "its conf/storage-schemas.conf"
                                                                                : o.schemas_file.string();
      out.carried.push_back({"conf/storage-schemas.conf", "the original's retentions, from " + from +
                                                              " (new whisper files get them too)"});
    } else {
      out.not_carried.push_back({o.schemas_file.string(), "missing: the bundle's retentions apply to new whisper files"});
    }
    if (o.storage_aggregation) {
      conf_entry(out, "conf/storage-aggregation.conf").content = *o.storage_aggregation;
      out.carried.push_back({"conf/storage-aggregation.conf", "from " + o.aggregation_file.string()});
    } else {
      out.notes.push_back({"conf/storage-aggregation.conf", "the bundle's (the original named none: go-carbon's "
                                                            "default, average); only new whisper files follow it"});
    }
  }
  if (o.dashboard_files.empty()) return;
  if (!out.plan.has("grafana")) {
    out.not_carried.push_back({"dashboards/", "this install runs no Grafana"});
    return;
  }
  std::vector<std::string> names;
  fs::path dir = out.plan.layout.conf() / "grafana/dashboards-original";
  for (const auto& f : o.dashboard_files) {
    conf_entry(out, "conf/grafana/dashboards-original/" + f.name).content = f.text;
    names.push_back(f.name);
  }
  conf_entry(out, "conf/grafana/provisioning/dashboards/original.yaml").content =
      "# The dashboards the original dkumonitor's Grafana provisioned from DIR/dashboards,\n"
      "# carried by the migration (same provider name, so Grafana keeps them as they were).\n"
      "apiVersion: 1\n\nproviders:\n  - name: \"default\"\n    orgId: 1\n    folder: \"\"\n    type: \"file\"\n"
      "    disableDeletion: true\n    allowUiUpdates: true\n    options:\n      path: \"" + dir.string() + "\"\n";
  out.carried.push_back({"dashboards/", join(names, ", ") + " into " + dir.string() + " (provider \"default\", as before)"});
}

void note_other_conf_files(const OriginalInstall& o, MigrationPlan& out) {
  const auto& known = original_conf_files();
  for (const auto& f : o.conf_files) {
    if (std::find(known.begin(), known.end(), f) != known.end()) continue;
    if (f.rfind("collectd.d/", 0) == 0 && f.size() > 5 && f.substr(f.size() - 5) == ".conf") continue;
    out.not_carried.push_back({"conf/" + f, "no file of this bundle reads it; kept in " + out.conf_orig + "/" + f});
  }
  if (out.plan.has("collectd") || out.plan.has("go-carbon"))
    out.notes.push_back({"conf/telegraf.conf", "the bundle's, not enabled (the original's: " + out.conf_orig + "/telegraf.conf)"});
}

}  // namespace dkm::install

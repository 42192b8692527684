// Reading an original dkumonitor install: see migrate_original.hpp.
#include <dkm/install/migrate_original.hpp>

#include <dkm/core/strings.hpp>
#include <dkm/install/addresses.hpp>
#include <dkm/core/install_layout.hpp>

#include "collectd_config.hpp"

// Header-only: the runtime tools link nothing but libc's family dynamically.
#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <regex>

namespace dkm::install {

// --- the files on disk ----------------------------------------------------------------

std::optional<std::string> DiskOriginalFiles::read(const fs::path& rel) const {
  fs::path path = dir_ / rel;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return std::nullopt;
  if (fs::is_directory(st)) throw UsageError(path.string() + ": is a directory, not a file");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError(path.string() + ": cannot read: " + errno_text());
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  int err = errno;
  ::close(fd);
  if (n < 0) throw UsageError(path.string() + ": cannot read: " + errno_text(err));
  return text;
}

std::vector<std::string> DiskOriginalFiles::list(const fs::path& rel) const {
  std::vector<std::string> names;
  std::error_code ec;
  fs::path path = dir_ / rel;
  if (!is_directory(rel)) return names;
  fs::directory_iterator it(path, ec);
  if (ec) throw UsageError(path.string() + ": cannot list: " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool DiskOriginalFiles::exists(const fs::path& rel) const {
  std::error_code ec;
  return fs::exists(fs::symlink_status(dir_ / rel, ec));
}

bool DiskOriginalFiles::is_directory(const fs::path& rel) const {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(dir_ / rel, ec));
}

fs::path DiskOriginalFiles::link_target(const fs::path& rel) const {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(dir_ / rel, ec))) return {};
  return fs::read_symlink(dir_ / rel, ec);
}

// --- facts about the original --------------------------------------------------------

const std::vector<std::string>& original_collectd_files() {
  static const std::vector<std::string> files{"cpu.conf",    "df.conf",        "disk.conf", "interface.conf",
                                              "load.conf",   "memory.conf",    "processes.conf",
                                              "swap.conf",   "write_graphite.conf"};
  return files;
}

const std::vector<std::string>& original_conf_files() {
  static const std::vector<std::string> files = [] {
    std::vector<std::string> out{"supervisord.conf", "go-carbon.conf",   "carbonapi.yml", "grafana.ini",
                                 "collectd.conf",    "defaults.ini",     "storage-schemas.conf", "telegraf.conf",
                                 "grafana.d/provisioning/datasources/defaultsources.yml",
                                 "grafana.d/provisioning/dashboards/defaultdashboards.yml"};
    for (const auto& f : original_collectd_files()) out.push_back("collectd.d/" + f);
    return out;
  }();
  return files;
}

const std::vector<std::string>& original_links() {
  static const std::vector<std::string> links{"bin/dkm", "bin/dkumonitor", "bin/dkmadmin", "static", "lib"};
  return links;
}

bool looks_like_original_install(const OriginalFiles& files) {
  if (files.exists("bin/env-default")) return true;
  std::optional<std::string> svd = files.exists("conf/supervisord.conf") ? files.read("conf/supervisord.conf") : std::nullopt;
  return svd && svd->find("run/svd.sock") != std::string::npos;
}

std::string original_version_of(const fs::path& bundle) {
  std::smatch m;
  std::string name = bundle.filename().string();
  if (name.empty()) name = bundle.parent_path().filename().string();
  static const std::regex pattern(R"(^dkumonitor-([0-9][0-9A-Za-z.+_-]*)$)");
  return std::regex_match(name, m, pattern) ? m[1].str() : "unknown";
}

ListenAddress parse_listen_address(const std::string& text, const std::string& where) {
  size_t colon = text.rfind(':');
  int port = 0;
  std::string_view port_text = colon == std::string::npos ? std::string_view() : std::string_view(text).substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (colon == std::string::npos || ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535)
    throw UsageError(where + ": '" + text + "' is not an address with a port (IP:PORT)");
  std::string host = text.substr(0, colon);
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  IpAddress ip = to_ip(host);
  if (ip.text.empty()) throw UsageError(where + ": '" + text + "': '" + host + "' is not an IP address");
  return {ip.text, port, where};
}

namespace {

/// DIR/p for a path the original's programs read relative to DIR (their working directory).
fs::path under_dir(const fs::path& dir, const std::string& p) {
  return fs::path(p).is_absolute() ? fs::path(p).lexically_normal() : (dir / p).lexically_normal();
}

/// `p` relative to `dir` when it lies inside, else `p` (absolute): what OriginalFiles reads.
fs::path relative_if_inside(const fs::path& dir, const fs::path& p) {
  fs::path rel = p.lexically_relative(dir);
  return rel.empty() || *rel.begin() == ".." ? p : rel;
}

/// A file every original install has; UsageError naming it when absent.
std::string required(const OriginalFiles& files, const fs::path& dir, const std::string& rel, const std::string& why) {
  std::optional<std::string> text = files.read(rel);
  if (!text)
    throw UsageError((dir / rel).string() + " is missing: an install of the original dkumonitor has one (" + why +
                     "); restore it (from a backup, or as its installer wrote it) and migrate again");
  return *text;
}

int parse_int(const std::string& text, const std::string& where) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw UsageError(where + ": '" + text + "' is not a number");
  return value;
}

void read_env_and_links(const OriginalFiles& files, OriginalInstall& o) {
  o.env_default = files.read("bin/env-default");
  o.env_site = files.read("bin/env-site");
  if (o.env_default) {
    std::map<std::string, std::string> vars;
    try {
      vars = parse_env_file(*o.env_default, (o.dir / "bin/env-default").string());
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    o.old_bundle = vars["DKUMONITOR_ROOT"];
    o.recorded_home = vars["DKUMONITOR_HOME"];
  }
  for (const auto& link : original_links())
    if (files.exists(link)) o.links.push_back(link);
  for (const auto& name : files.list("bin"))
    if (name != "env-default" && name != "env-site" && name != "dkm" && name != "dkumonitor" && name != "dkmadmin")
      o.bin_other.push_back(name);
  if (o.old_bundle.empty())  // the links still say where the bundle was
    if (fs::path t = files.link_target("bin/dkm"); !t.empty()) o.old_bundle = t.parent_path().parent_path();
  o.version = original_version_of(o.old_bundle);
  o.has_pyenv = files.exists("pyenv");
}

void read_supervisord(const OriginalFiles& files, OriginalInstall& o) {
  std::string rel = "conf/supervisord.conf";
  IniDocument svd = IniDocument::parse(required(files, o.dir, rel, "it says which services run"), (o.dir / rel).string());
  for (const auto& section : svd.sections()) {
    if (section.name.rfind("program:", 0) != 0) continue;
    std::string name = section.name.substr(8);
    o.programs.insert(name);
    if (name == "collectd") o.system_collectd = svd.value(section.name, "command").find(" run ") != std::string::npos;
  }
}

void read_grafana(const OriginalFiles& files, OriginalInstall& o) {
  std::string rel = "conf/grafana.ini";
  IniDocument ini = IniDocument::parse(required(files, o.dir, rel, "it holds the port plan's base, Grafana's port"),
                                       (o.dir / rel).string());
  if (const IniEntry* port = ini.entry("server", "http_port")) o.grafana_port = parse_int(port->value, ini.where(*port));
  o.grafana_http_addr = ini.value("server", "http_addr");
  o.grafana_data_dir = under_dir(o.dir, ini.value("paths", "data", "data"));
  std::string plugins = ini.value("paths", "plugins");
  o.grafana_plugins_dir = plugins.empty() ? o.grafana_data_dir / "plugins" : under_dir(o.dir, plugins);
  o.grafana_ini = std::move(ini);
  if (std::optional<std::string> defaults = files.read("conf/defaults.ini")) {
    try {
      o.grafana_defaults = IniDocument::parse(*defaults, (o.dir / "conf/defaults.ini").string());
    } catch (const UsageError&) {
      // Only a fallback for values grafana.ini lacks: an unreadable one just is not used.
    }
  }
  std::string ds = "conf/grafana.d/provisioning/datasources/defaultsources.yml";
  if (std::optional<std::string> text = files.read(ds)) {
    for (const auto& raw : split(*text, '\n')) {
      std::string_view line = trim(raw);
      if (line.rfind("url:", 0) != 0) continue;
      std::string_view url = trim(line.substr(4));
      if (url.size() >= 2 && (url.front() == '"' || url.front() == '\'') && url.back() == url.front())
        url = url.substr(1, url.size() - 2);
      o.grafana_datasource_url = std::string(url);
      break;
    }
  }
}

void read_go_carbon(const OriginalFiles& files, OriginalInstall& o) {
  std::string rel = "conf/go-carbon.conf";
  std::string path = (o.dir / rel).string();
  std::string text = required(files, o.dir, rel, "it holds carbon's listeners and where the whisper files are");
  toml::table conf;
  try {
    conf = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw UsageError(at_line(path, static_cast<long>(e.source().begin.line), std::string(e.description())));
  }
  auto listen = [&](const char* table) -> std::optional<ListenAddress> {
    std::optional<std::string> value = conf[table]["listen"].value<std::string>();
    if (!value) return std::nullopt;
    return parse_listen_address(*value, path + " [" + table + "] listen");
  };
  o.carbon_tcp = listen("tcp");
  o.carbon_udp = listen("udp");
  o.carbonserver = listen("carbonserver");
  o.whisper_dir = under_dir(o.dir, conf["whisper"]["data-dir"].value_or(std::string("/var/lib/graphite/whisper")));
  o.schemas_file = under_dir(o.dir, conf["whisper"]["schemas-file"].value_or(std::string("conf/storage-schemas.conf")));
  if (auto aggregation = conf["whisper"]["aggregation-file"].value<std::string>(); aggregation && !aggregation->empty())
    o.aggregation_file = under_dir(o.dir, *aggregation);
  o.tags_enabled = conf["tags"]["enabled"].value_or(false);
  o.storage_schemas = files.read(relative_if_inside(o.dir, o.schemas_file));
  if (!o.aggregation_file.empty()) o.storage_aggregation = files.read(relative_if_inside(o.dir, o.aggregation_file));
}

void read_carbonapi(const OriginalFiles& files, OriginalInstall& o) {
  std::string rel = "conf/carbonapi.yml";
  std::string path = (o.dir / rel).string();
  std::string text = required(files, o.dir, rel, "it holds carbonapi's address");
  // The original's file is flat YAML; read the two settings the migration maps.
  long line_no = 0;
  bool in_upstreams = false, in_backends = false;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    size_t indent = raw.find_first_not_of(' ');
    if (line.empty() || line.front() == '#') continue;
    auto unquoted = [](std::string_view v) {
      v = trim(v);
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
      return std::string(v);
    };
    if (indent == 0) {
      in_upstreams = line.rfind("upstreams:", 0) == 0;
      in_backends = false;
      if (line.rfind("listen:", 0) == 0)
        o.carbonapi = parse_listen_address(unquoted(line.substr(7)), at_line(path, line_no, "listen"));
      continue;
    }
    if (!in_upstreams) continue;
    if (line.rfind("- ", 0) == 0 && in_backends) {
      o.carbonapi_backends.push_back(unquoted(line.substr(2)));
    } else if (line.rfind("backends:", 0) == 0 && trim(line.substr(9)).empty()) {
      in_backends = true;
    } else if (line.find(':') != std::string_view::npos && line.front() != '-') {
      in_backends = false;
      std::string key(trim(line.substr(0, line.find(':'))));
      if (key == "backendsv2" || key == "zippers" || key == "graphite09compat") o.carbonapi_other_upstreams = true;
    }
  }
}

void read_collectd(const OriginalFiles& files, OriginalInstall& o) {
  std::string rel = "conf/collectd.conf";
  std::string path = (o.dir / rel).string();
  std::vector<std::pair<std::string, CollectdItem>> configs;
  auto parse = [&](const std::string& text, const std::string& name) {
    try {
      return parse_collectd_config(text, name);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
  };
  CollectdItem main = parse(required(files, o.dir, rel, "it names the host collectd reports"), path);
  if (const CollectdItem* host = main.find("Hostname"); host && !host->values.empty()) {
    o.collectd_hostname = host->values[0];
    o.collectd_hostname_line = host->line;
  }
  if (const CollectdItem* interval = main.find("Interval"); interval && !interval->values.empty())
    o.collectd_interval = parse_int(interval->values[0], at_line(path, interval->line, "Interval"));
  configs.emplace_back(path, main);
  for (const auto& name : files.list("conf/collectd.d")) {
    if (name.size() < 6 || name.substr(name.size() - 5) != ".conf") continue;
    std::string file_rel = "conf/collectd.d/" + name;
    std::string text = files.read(file_rel).value_or("");
    o.collectd_files.push_back({name, text});
    configs.emplace_back((o.dir / file_rel).string(), parse(text, (o.dir / file_rel).string()));
  }
  for (const auto& [name, config] : configs) {
    for (const CollectdItem* plugin : config.all("Plugin")) {
      if (plugin->values.empty() || !CollectdItem::same_key(plugin->values[0], "write_graphite")) continue;
      for (const CollectdItem* node : plugin->all("Node")) {
        if (++o.collectd_nodes > 1) continue;
        o.collectd_target_host = node->value("Host");
        if (std::string port = node->value("Port"); !port.empty())
          o.collectd_target_port = parse_int(port, at_line(name, node->line, "Port"));
      }
    }
  }
}

void list_tree(const OriginalFiles& files, const fs::path& rel, const fs::path& prefix, std::vector<std::string>& out) {
  for (const auto& name : files.list(rel)) {
    if (files.is_directory(rel / name)) list_tree(files, rel / name, prefix / name, out);
    else out.push_back((prefix / name).string());
  }
}

}  // namespace

OriginalInstall read_original_install(const OriginalFiles& files, const fs::path& dir) {
  OriginalInstall o;
  o.dir = dir;
  read_env_and_links(files, o);
  read_supervisord(files, o);
  read_grafana(files, o);
  read_go_carbon(files, o);
  read_carbonapi(files, o);
  read_collectd(files, o);
  list_tree(files, "conf", "", o.conf_files);
  o.dashboards_dir = files.is_directory("dashboards");
  for (const auto& name : files.list("dashboards"))
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json" && !files.is_directory("dashboards/" + name))
      o.dashboard_files.push_back({name, files.read("dashboards/" + name).value_or("")});
  return o;
}

}  // namespace dkm::install

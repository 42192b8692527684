#pragma once
// A fake original dkumonitor install for the migration's unit tests: its files as texts
// in memory (OriginalFiles), abridged to what the migration reads. The whole install, as
// the original's installer writes it, is tests/integration/migrate/original_install.hpp.

#include <dkm/install/migrate_original.hpp>

#include "original_supervisord.hpp"

#include <map>
#include <set>
#include <string>

namespace dkm::test {

/// OriginalFiles over texts: files by path relative to DIR, and links.
class FakeOriginal : public dkm::install::OriginalFiles {
 public:
  std::map<std::string, std::string> files;  ///< path -> content
  std::map<std::string, fs::path> links;     ///< path -> target

  std::optional<std::string> read(const fs::path& rel) const override {
    auto it = files.find(rel.string());
    if (it == files.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> list(const fs::path& rel) const override {
    std::set<std::string> names;
    std::string prefix = rel.string() + "/";
    for (const auto& [path, _] : files)
      if (path.rfind(prefix, 0) == 0) names.insert(path.substr(prefix.size(), path.find('/', prefix.size()) - prefix.size()));
    for (const auto& [path, _] : links)
      if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos) names.insert(path.substr(prefix.size()));
    return {names.begin(), names.end()};
  }
  bool exists(const fs::path& rel) const override { return links.count(rel.string()) || is_directory(rel) || read(rel); }
  bool is_directory(const fs::path& rel) const override { return !files.count(rel.string()) && !list(rel).empty(); }
  fs::path link_target(const fs::path& rel) const override {
    auto it = links.find(rel.string());
    return it == links.end() ? fs::path() : it->second;
  }
};

/// An original install of `type` in /srv/dkm, PORT 27600, sending to `server`.
inline FakeOriginal fake_original(const std::string& type, const std::string& server = "127.0.0.1") {
  FakeOriginal f;
  f.files["bin/env-default"] = "DKUMONITOR_ROOT=\"/opt/dkumonitor-0.0.4\"\nDKUMONITOR_HOME=\"/srv/dkm\"\n";
  f.files["bin/env-site"] = "";
  f.files["pyenv/bin/activate"] = "";
  for (const char* link : {"bin/dkm", "bin/dkumonitor", "bin/dkmadmin"}) f.links[link] = "/opt/dkumonitor-0.0.4/bin/dkm";
  f.links["static"] = "/opt/dkumonitor-0.0.4/static";
  f.links["lib"] = "/opt/dkumonitor-0.0.4/lib";
  f.files["conf/supervisord.conf"] = original_supervisord_conf(type);
  f.files["conf/grafana.ini"] = "[paths]\ndata = storage\nplugins = storage/plugins\n\n[server]\nhttp_addr =\n"
                                "http_port = 27600\n\n[security]\nadmin_user = admin\nadmin_password = admin\n"
                                "secret_key = SW2YcwTIb9zpOOhoPsMm\n\n[session]\nprovider = file\n\n[analytics]\n"
                                "reporting_enabled = true\n";
  f.files["conf/grafana.d/provisioning/datasources/defaultsources.yml"] =
      "datasources:\n- name: DkuCarbonAPI\n  url:  \"http://" + server + ":27602\"\n";
  f.files["conf/go-carbon.conf"] = "[whisper]\ndata-dir = \"storage/whisper\"\nschemas-file = \"conf/storage-schemas.conf\"\n"
                                   "hash-filenames = true\n[udp]\nlisten = \"0.0.0.0:27601\"\n[tcp]\nlisten = \"0.0.0.0:27601\"\n"
                                   "[carbonserver]\nlisten = \"127.0.0.1:27603\"\n[[logging]]\nfile = \"run/go-carbon.log\"\n";
  f.files["conf/carbonapi.yml"] = "listen: \"0.0.0.0:27602\"\ncache:\n   type: \"null\"\nupstreams:\n  backends:\n"
                                  "    - \"http://127.0.0.1:27603\"\nlogger:\n  - logger: \"\"\n";
  f.files["conf/collectd.conf"] = "Hostname    \"domain.example.host\"\nAutoLoadPlugin true\nInterval     300\n"
                                  "Include \"conf/collectd.d/*.conf\"\n";
  f.files["conf/collectd.d/cpu.conf"] = "<Plugin cpu>\n  ReportByCpu true\n</Plugin>\n";
  f.files["conf/collectd.d/write_graphite.conf"] = "<Plugin write_graphite>\n  <Node \"example\">\n    Host \"" + server +
                                                   "\"\n    Port \"27601\"\n    PreserveSeparator true\n  </Node>\n</Plugin>\n";
  f.files["conf/storage-schemas.conf"] = "[collect]\npattern = ^collectd.*$\nretentions = 5m:30d,1h:1y\n";
  return f;
}

}  // namespace dkm::test

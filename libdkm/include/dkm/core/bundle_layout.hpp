#pragma once
// The bundle an installer belongs to: the directory dkumonitor-VERSION/ that holds
// the installer itself, bin/ (dkm, dkmadmin, go-carbon, carbonapi, grafana, collectd, carbon-c-relay),
// lib/collectd/ (plugins, types.db), lib/grafana/conf/defaults.ini (Grafana's home:
// `grafana server --homepath BUNDLE/lib/grafana`), static/ (Grafana's public/ assets),
// conf/, templates/, dashboards/, VERSION.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <map>
#include <string>
#include <vector>

namespace dkm {

/// One bundle directory.
class Bundle {
 public:
  /// The bundle rooted at `root` (made absolute; not checked here, see check()).
  explicit Bundle(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
    if (!root_.has_filename()) root_ = root_.parent_path();
  }

  /// The bundle of the running program: the directory of /proc/self/exe (the installer
  /// sits at the bundle's top; symlinks to it resolve to the real file).
  static Bundle of_running_program() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error("/proc/self/exe: cannot tell where this installer is: " + ec.message());
    return Bundle(exe.parent_path());
  }

  /// The bundle's top directory.
  const fs::path& root() const { return root_; }
  /// bin/: front ends and component binaries.
  fs::path bin() const { return root_ / "bin"; }
  /// templates/: the config templates (dist/templates in the source tree).
  fs::path templates() const { return root_ / "templates"; }
  /// static/: Grafana's frontend assets.
  fs::path static_dir() const { return root_ / "static"; }
  /// lib/: collectd's plugins and types.db under lib/collectd.
  fs::path lib() const { return root_ / "lib"; }
  /// lib/collectd: the bundled collectd's plugin directory.
  fs::path collectd_plugins() const { return lib() / "collectd"; }
  /// dashboards/: Grafana dashboards provisioned into every install with Grafana.
  fs::path dashboards() const { return root_ / "dashboards"; }

  /// The bundle's version: the first line of VERSION, or `fallback` when there is none.
  std::string version(const std::string& fallback) const {
    std::error_code ec;
    if (!fs::is_regular_file(root_ / "VERSION", ec)) return fallback;
    std::string text(trim(split(read_file(root_ / "VERSION"), '\n').front()));
    return text.empty() ? fallback : text;
  }

  /// Bundle entries each service needs (relative to the bundle); collectd's only when bundled.
  static std::vector<std::string> required_entries(const std::string& service, bool bundled_collectd = true) {
    static const std::map<std::string, std::vector<std::string>> needs{
        {"go-carbon", {"bin/go-carbon"}},
        {"carbonapi", {"bin/carbonapi"}},
        {"grafana", {"bin/grafana", "static", "lib/grafana/conf/defaults.ini"}},
        {"collectd", {"bin/collectd", "lib/collectd/types.db"}},
        {"carbon-c-relay", {"bin/carbon-c-relay"}},
    };
    if (service == "collectd" && !bundled_collectd) return {};
    auto it = needs.find(service);
    return it == needs.end() ? std::vector<std::string>{} : it->second;
  }

  /// Checks that the bundle has the front ends, the templates and what `services` need;
  /// throws Error listing every missing entry.
  void check(const std::vector<std::string>& services, bool bundled_collectd, const std::string& what) const {
    std::vector<std::string> wanted{"bin/dkm", "bin/dkmadmin", "templates"};
    for (const auto& service : services)
      for (const auto& entry : required_entries(service, bundled_collectd)) wanted.push_back(entry);
    std::vector<std::string> missing;
    for (const auto& entry : wanted) {
      std::error_code ec;
      if (!fs::exists(root_ / entry, ec)) missing.push_back(entry);
    }
    if (!missing.empty())
      throw Error("the bundle " + root_.string() + " lacks " + join(missing, ", ") + ", needed by " + what +
                  " (is this installer inside a complete dkumonitor bundle?)");
  }

 private:
  fs::path root_;
};

}  // namespace dkm

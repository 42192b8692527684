#pragma once
// The bundle's layout: the one description of the directory dkumonitor-VERSION/ that
// dkmpack stages (pack/assemble.hpp) and the installer reads (install/).
//
//   installer                       the installer front end
//   bin/dkm, bin/dkmadmin           the other front ends
//   bin/go-carbon, bin/carbonapi, bin/grafana, bin/collectd, bin/carbon-c-relay
//                                   the components, where their recipes' [[stage]] rules put them
//   lib/collectd/                   collectd's plugins and types.db
//   lib/grafana/conf/defaults.ini   Grafana's home (`grafana server --homepath BUNDLE/lib/grafana`)
//   static/                         Grafana's public/ assets
//   conf/ templates/ dashboards/    the project's dist/
//   licenses/NAME/                  each component's license files, and the project's own
//   VERSION, manifest.json, sbom.spdx.json
// Implementation: libdkm/src/core/bundle_layout.cpp.

#include <dkm/core/files.hpp>

#include <string>
#include <utility>
#include <vector>

namespace dkm {

/// One bundle directory.
class Bundle {
 public:
  /// The front ends every bundle carries: the tool's name and its place in the bundle.
  static const std::vector<std::pair<std::string, std::string>>& front_ends();
  /// The directories copied from the project's dist/ (conf, templates, dashboards).
  static const std::vector<std::string>& project_directories();
  /// The file holding the bundle's version.
  static constexpr const char* kVersionFile = "VERSION";
  /// The manifest of every component and file.
  static constexpr const char* kManifestFile = "manifest.json";
  /// The same as an SPDX document.
  static constexpr const char* kSbomFile = "sbom.spdx.json";
  /// licenses/NAME: where a component's license files go.
  static fs::path licenses_of(const std::string& component) { return fs::path("licenses") / component; }

  /// The bundle rooted at `root` (made absolute; not checked here, see check()).
  explicit Bundle(const fs::path& root);

  /// The bundle of the running program: the directory of /proc/self/exe (the installer
  /// sits at the bundle's top; symlinks to it resolve to the real file).
  static Bundle of_running_program();

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
  std::string version(const std::string& fallback) const;

  /// Bundle entries each service needs (relative to the bundle); collectd's only when bundled.
  static std::vector<std::string> required_entries(const std::string& service, bool bundled_collectd = true);

  /// Checks that the bundle has the front ends, the templates and what `services` need;
  /// throws Error listing every missing entry.
  void check(const std::vector<std::string>& services, bool bundled_collectd, const std::string& what) const;

 private:
  fs::path root_;
};

}  // namespace dkm

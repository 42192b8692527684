#pragma once
// DSS data directories the agent's collectd watches apart (`installer --dss-home DIR`,
// repeatable). DSS's own collectd (dssadmin install-monitoring-integration) tells its
// processes from another instance's by the data directory in their command line, `java
// -Ddku.KIND ... -cp DATA_DIR/bin:...`; the agent does the same, with one ProcessMatch per
// kind (backend, jek, fek, cak) and data directory, named dss_KIND-LABEL, LABEL being the
// directory written as one metric-path node (/data/dss-design gives data_dss-design).
// Implementation: libdkm/src/install/dss_homes.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// One DSS data directory, checked.
struct DssHome {
  fs::path directory;  ///< absolute, lexically normal, as DSS's command lines name it
  std::string label;   ///< the directory as one node: dss_KIND-LABEL names its process series
};

/// The longest LABEL: collectd keeps 127 characters of a ProcessMatch name, and
/// "dss_backend-" takes 12 of them.
inline constexpr size_t kMaxDssLabel = 115;

/// A data directory as one metric-path node: the path without its leading '/', every
/// character but letters, digits, '_' and '-' written '_'.
std::string dss_home_label(const fs::path& directory);

/// `text` as a POSIX extended regular expression matching it literally.
std::string posix_regex_literal(std::string_view text);

/// Checks the --dss-home values: absolute, configurable (`path_problem`, which the
/// caller passes: the characters every config can carry; "" when the path is fine),
/// existing directories, each given once, with labels that differ and fit. Throws
/// UsageError naming `flag`.
std::vector<DssHome> parse_dss_homes(const std::vector<std::string>& values,
                                     const std::function<std::string(const std::string&)>& path_problem,
                                     const std::string& flag = "--dss-home");

/// The template value `dss_process_sets`: one set of DSS process matches per data
/// directory (names dss_KIND`suffix`; patterns `before`-Ddku\\.KIND`after`, as collectd's
/// quoted strings write them, a backslash twice), or, without --dss-home, one set that
/// matches every DSS process of the host.
nlohmann::json dss_process_sets_template_values(const std::vector<DssHome>& homes);

}  // namespace dkm::install

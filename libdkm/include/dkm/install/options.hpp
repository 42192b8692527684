#pragma once
// What an install is asked for: install types and their services, and the installer's
// flags checked into InstallOptions before anything touches the disk. Bad input is a
// UsageError (exit 2) whose message names the flag at fault. The command line itself
// (the flag table, --help) is the installer front end's: tools/installer/.
// Implementation: libdkm/src/install/options.cpp.

#include <dkm/core/files.hpp>
#include <dkm/install/addresses.hpp>
#include <dkm/install/dss_homes.hpp>
#include <dkm/install/ports.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dkm::install {

/// The services an install can run; also the names of their [program:NAME] sections
/// and of their template directories under templates/.
const std::vector<std::string>& all_services();

/// One install type (`-t`): its name, what it is for, and its services.
struct InstallType {
  std::string name;                   ///< the -t value
  std::string summary;                ///< one line for --help
  std::vector<std::string> services;  ///< subset of all_services(), in that order

  /// True when this type runs `service`.
  bool has(const std::string& service) const {
    return std::find(services.begin(), services.end(), service) != services.end();
  }
};

/// Every install type, the default (`all`) first.
const std::vector<InstallType>& install_types();

/// The install type named `name`; throws UsageError naming `flag` and the valid names.
const InstallType& find_install_type(const std::string& name, const std::string& flag = "-t/--type");

/// The services an install of `type` runs, in all_services() order: the type's own, plus
/// carbonapi for a frontend that queries backends itself (`--backends`, a query front).
std::vector<std::string> install_services(const InstallType& type, bool query_front);

/// Everything the command line asked for, checked.
struct InstallOptions {
  bool update = false;                   ///< -u: relink an existing install to this bundle (or migrate an original one)
  bool dry_run = false;                  ///< --dry-run (with -u): print what it would do, change nothing
  bool new_metric_names = false;         ///< --new-metric-names (with -u, migrating): collectd's host as one node
  fs::path directory;                    ///< -d: the install directory (absolute, normalised)
  std::optional<PortPlan> ports;         ///< -p: the port plan (install mode only)
  const InstallType* type = nullptr;     ///< -t: the install type (install mode only)
  std::vector<std::string> services;     ///< what the install runs (install_services: the type's, maybe carbonapi)
  IpAddress carbon_listen;               ///< --carbon-listen: go-carbon's plaintext TCP/UDP address
  IpAddress carbonapi_listen;            ///< --carbonapi-listen: carbonapi's address
  IpAddress carbonserver_listen;         ///< --carbonserver-listen: go-carbon's carbonserver address
  int carbonserver_port = 0;             ///< --carbonserver-listen's port (default PORT+3)
  std::optional<std::string> hostname;   ///< --hostname: FQDN to reverse for collectd (default: this host's)
  bool system_collectd = false;          ///< --system-collectd: collectd from PATH, system plugins
  std::optional<Endpoint> carbon_server; ///< --carbon-server: remote server (port 0 = the plan's)
  std::vector<Endpoint> backends;        ///< --backends: carbonserver endpoints carbonapi reads (default: local)
  std::vector<Endpoint> carbon_backends; ///< --carbon-backends: go-carbon carbon endpoints a relay shards over
  std::vector<DssHome> dss_homes;        ///< --dss-home: DSS data directories whose processes collectd tells apart
  std::optional<int> expected_hosts;     ///< --expected-hosts: hosts go-carbon is sized for (sizing.hpp; default kDefaultExpectedHosts)

  /// True when the install runs `service`.
  bool runs(const std::string& service) const {
    return std::find(services.begin(), services.end(), service) != services.end();
  }
};

/// The installer's flags as given, by long name ("port", "carbon-listen"); a switch maps to "";
/// a repeatable flag (--dss-home) has one entry per value, in the order given.
using GivenFlags = std::multimap<std::string, std::string>;

/// The flags of a command line written as the installer's arguments ("-d", DIR,
/// "--system-collectd", ...): how a migration states the install it makes. Throws
/// UsageError on a word that is no flag or a flag without its value.
GivenFlags given_flags(const std::vector<std::string>& args);

/// The flag as users type it: "-p/--port" for a flag with a short form, else "--NAME".
std::string flag_name(const std::string& long_name);

/// Characters a path may hold to be written unquoted into every config format the
/// bundle renders (INI, TOML, YAML, collectd, supervisord commands split on spaces),
/// and lengths the system takes (NAME_MAX a name, PATH_MAX the whole):
/// "" when `path` is fine, else what is wrong with it.
std::string path_problem(const std::string& path);

/// --expected-hosts: a whole number from 1 to `most`; throws UsageError naming the flag.
int parse_expected_hosts(const std::string& text, int most);

/// Checks the flags and their combinations and resolves them into InstallOptions; the
/// directory's state is checked by the install itself. Throws UsageError naming the flag.
InstallOptions check_install_flags(const GivenFlags& given);

}  // namespace dkm::install

#pragma once
// Planning the migration of an original dkumonitor install (migrate_original.hpp) into
// an install of this bundle, in memory: what it becomes (the same as a fresh install
// with the flags its configs imply, plus what it keeps of its own: storage where it is,
// its collectd interval and metric names, Grafana's secrets when a database exists), the
// new conf/ with the carried settings, bin/env, and every line of the summary: what is
// kept, converted, carried, not carried and why, moved and removed. Pure logic: the
// world comes in through MigrationFacts; nothing is written (migrate_apply.hpp does).
// Implementation: libdkm/src/install/migrate_plan.cpp, migrate_carry.cpp (the carried settings).

#include <dkm/core/bundle_layout.hpp>
#include <dkm/install/plan.hpp>
#include <dkm/boot/original_boot.hpp>
#include <dkm/install/migrate_original.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::install {

/// What the admin asked for on the command line.
struct MigrationOptions {
  bool new_metric_names = false;  ///< --new-metric-names: collectd writes the host as one node, as new installs do
};

/// What the planner needs to know about the machine and the bundle, found by the caller.
struct MigrationFacts {
  std::string bundle_version;             ///< this bundle's version
  std::set<std::string> collectd_plugins; ///< plugins (NAME of NAME.so) the migrated collectd can load
  HostFacts host;                         ///< this host's FQDN; the system's collectd when the original ran it
  std::string admin_password;             ///< generated, used only when Grafana has no database yet
  std::string secret_key;                 ///< generated, used only when Grafana has no database yet
  bool grafana_database = false;          ///< Grafana's database exists (storage/grafana.db, or another database)
  std::uint64_t whisper_files = 0;        ///< whisper files found, for the summary
  std::uint64_t whisper_bytes = 0;        ///< their size
  std::vector<boot::OriginalBootService> boot;  ///< the original's boot services of this install
};

/// One line of the summary: a path or a setting, and what happens to it, or why not.
struct MigrationItem {
  std::string what;    ///< e.g. "conf/collectd.d/nginx.conf", "install type"
  std::string detail;  ///< e.g. "carried (LoadPlugin nginx added)"
};

/// The migration, decided.
struct MigrationPlan {
  OriginalInstall original;                ///< what was read
  std::vector<std::string> install_args;   ///< the installer flags of an equivalent fresh install
  InstallPlan plan;                        ///< the settings of the migrated install
  std::vector<TreeEntry> conf;             ///< the new conf/ (paths under "conf/"), carried files included
  std::map<std::string, std::string> env;  ///< bin/env, with the carried env-site variables
  std::string conf_orig;                   ///< where the old conf/ goes: "conf.orig-VERSION"
  bool generated_grafana_secrets = false;  ///< no Grafana database: the generated password is Grafana's first
  std::vector<MigrationItem> kept, converted, carried, not_carried, moved, removed, notes;
};

/// The install type the original's programs (supervisord.conf) make, and why; throws
/// UsageError when the set is none of the original's install types.
std::pair<const InstallType*, std::string> original_install_type(const OriginalInstall& original);

/// The original's port plan base (PORT): Grafana's http_port, else what carbon's,
/// carbonapi's or carbonserver's port imply; throws UsageError when none says.
int original_port_base(const OriginalInstall& original);

/// Plans the migration. Throws UsageError (naming the original's file) when its settings
/// do not make an install of this bundle.
MigrationPlan plan_migration(const OriginalInstall& original, const MigrationOptions& options,
                             const MigrationFacts& facts, const Bundle& bundle);

// The carried settings (migrate_carry.cpp), applied by plan_migration; exposed for tests.

/// Carries the original's grafana.ini settings that map onto the rendered `text`.
std::string carry_grafana_settings(const std::string& text, const OriginalInstall& original, bool database,
                                   const std::string& conf_orig, MigrationPlan& out);

/// Carries the admin's collectd.d files whose plugins the new collectd has (adding the
/// LoadPlugin lines the original's AutoLoadPlugin made unneeded).
void carry_collectd_files(const OriginalInstall& original, const std::set<std::string>& plugins, MigrationPlan& out);

/// Carries env-site's plain `[export] NAME=VALUE` lines into bin/env.
void carry_env_site(const OriginalInstall& original, MigrationPlan& out);

/// Carries the storage schemas (and aggregation) and the dashboards of dashboards/.
void carry_storage_and_dashboards(const OriginalInstall& original, MigrationPlan& out);

/// Notes the files of the original's conf/ that nothing reads any more.
void note_other_conf_files(const OriginalInstall& original, MigrationPlan& out);

}  // namespace dkm::install

#pragma once
// Migrating an original dkumonitor install in place: `installer -u -d DIR` on it.
//
// Everything that can refuse does so before anything is written (exit 2, DIR as it
// was): a file that is missing, unreadable or does not parse; the original's
// supervisord (or a service it started) still running; root acting on an install that
// another account owns (it would act on files that account controls: run it as that
// account instead); an entry the migration renames or removes that is not writable;
// a conf.orig-VERSION already there. Then the new conf/ and bin/ are staged in a
// directory inside DIR and swapped in by renames, each undone in reverse order when a
// later one fails (the original stays startable). Only once every swap succeeded are
// the old links, the old bin/ and pyenv/ removed; storage/ is never written.
// Implementation: libdkm/src/install/migrate_apply.cpp, migrate_summary.cpp (what it prints).

#include <dkm/core/bundle_layout.hpp>
#include <dkm/install/migrate_plan.hpp>

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace dkm::install {

/// A step of the swap and how to take it back.
struct MigrationStep {
  std::string what;             ///< for messages: "rename conf to conf.orig-0.0.4"
  std::function<void()> run;    ///< throws Error on failure
  std::function<void()> undo;   ///< takes back what run did; may throw (reported, not fatal)
};

/// Runs `steps` in order; when one throws, undoes the ones done, newest first, and
/// throws an Error naming the failed step (and any undo that failed too).
void run_migration_steps(const std::vector<MigrationStep>& steps);

/// rename(2), or a stand-in that fails on purpose (tests).
using RenameFunction = std::function<int(const fs::path& from, const fs::path& to)>;

/// Processes of the original install that still run: its supervisord (pid file, or a
/// socket that answers) and whatever carries DKUMONITOR_HOME=DIR in its environment.
struct RunningOriginal {
  std::vector<pid_t> pids;    ///< live processes found
  bool socket_answers = false;  ///< run/svd.sock accepts a connection
};

/// Looks for the original's running processes (reads /proc, connects to run/svd.sock).
RunningOriginal find_running_original(const OriginalInstall& original);

/// Throws UsageError with the command that stops it when the original still runs.
void check_original_stopped(const OriginalInstall& original);

/// Throws UsageError when this process is root and DIR (or what the migration renames
/// in it) belongs to another account: run the migration as that account instead.
void check_migration_privileges(const OriginalInstall& original);

/// Throws UsageError naming the first entry the migration must rename or remove but cannot.
void check_migration_writable(const MigrationPlan& plan);

/// Facts from this machine and the bundle for the planner (plugins, storage, boot services).
MigrationFacts find_migration_facts(const OriginalInstall& original, const Bundle& bundle, const std::string& version);

/// Writes the migration into DIR (see the file comment). Cleanup problems after the
/// swap (an old entry that cannot be removed) are returned as warnings.
std::vector<std::string> apply_migration(const MigrationPlan& plan, const Bundle& bundle,
                                         const RenameFunction& rename = nullptr);

/// What `installer -u` prints and returns.
struct MigrationOutcome {
  std::string text;   ///< the summary (or the plan, for a dry run)
  int exit_code = 0;  ///< 0, or 2 when a dry run found the migration would be refused
};

/// True when DIR holds an install of the original dkumonitor and none of this bundle's.
bool holds_original_install(const fs::path& dir);

/// `installer -u [--dry-run] -d DIR` on an original install: read, check, plan, and
/// (unless `dry_run`) migrate. Throws UsageError for bad input (nothing changed).
MigrationOutcome migrate_original_install(const fs::path& dir, const MigrationOptions& options, bool dry_run,
                                          const Bundle& bundle, const std::string& fallback_version);

/// `installer -u --dry-run` on an install of this toolkit: what the update would do.
std::string update_preview(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version);

/// The summary of a migration, or of its plan for a dry run.
std::string migration_summary(const MigrationPlan& plan, bool dry_run, const std::vector<std::string>& warnings = {});

}  // namespace dkm::install

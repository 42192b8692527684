// Migrating an original install in place: see migrate_apply.hpp.
#include <dkm/install/migrate_apply.hpp>

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/install.hpp>
#include <dkm/install/machine.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/core/process.hpp>
#include <dkm/install/update.hpp>

#include "install_dir.hpp"
#include "secrets.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

namespace dkm::install {

void run_migration_steps(const std::vector<MigrationStep>& steps) {
  size_t done = 0;
  try {
    for (; done < steps.size(); ++done) steps[done].run();
  } catch (const std::exception& e) {
    std::string message = std::string(e.what()) + " (while trying to " + steps[done].what + ")";
    std::vector<std::string> undo_failures;
    while (done-- > 0) {
      try {
        steps[done].undo();
      } catch (const std::exception& u) {
        undo_failures.push_back(steps[done].what + ": " + u.what());
      }
    }
    if (undo_failures.empty()) throw Error(message + "; every change was undone, the install is as it was");
    throw Error(message + "; these could not be undone, put them back by hand: " + join(undo_failures, "; "));
  }
}

// --- checks before anything is written --------------------------------------------------

RunningOriginal find_running_original(const OriginalInstall& o) {
  RunningOriginal found;
  fs::path socket_path = o.dir / "run" / "svd.sock";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::error_code ec;
  if (fs::is_socket(socket_path, ec) && socket_path.string().size() < sizeof addr.sun_path) {
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    found.socket_answers = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) ::close(fd);
  }
  std::set<pid_t> mine = self_and_ancestors();
  auto add = [&](pid_t pid) {
    if (pid > 0 && !mine.count(pid) && process_alive(pid) &&
        std::find(found.pids.begin(), found.pids.end(), pid) == found.pids.end())
      found.pids.push_back(pid);
  };
  try {
    pid_t pid = static_cast<pid_t>(std::atol(read_file(o.dir / "run" / "svd.pid").c_str()));
    if (read_proc_file("/proc/" + std::to_string(pid) + "/cmdline").find("supervisord") != std::string::npos) add(pid);
  } catch (const Error&) {
    // no pid file: nothing to learn from it
  }
  std::vector<std::string> markers{"DKUMONITOR_HOME=" + o.dir.string()};
  if (!o.recorded_home.empty() && o.recorded_home != o.dir) markers.push_back("DKUMONITOR_HOME=" + o.recorded_home.string());
  for (pid_t pid : list_pids())
    for (const auto& marker : markers)
      if (environ_contains(pid, marker)) add(pid);
  std::sort(found.pids.begin(), found.pids.end());
  return found;
}

void check_original_stopped(const OriginalInstall& o) {
  RunningOriginal running = find_running_original(o);
  if (running.pids.empty() && !running.socket_answers) return;
  std::vector<std::string> shown, pids, supervisors;
  for (pid_t pid : running.pids) {
    auto stat = read_proc_stat(pid);
    std::string name = stat ? stat->comm : std::string("?");
    shown.push_back(name + " (pid " + std::to_string(pid) + ")");
    pids.push_back(std::to_string(pid));
    if (name.rfind("supervisord", 0) == 0) supervisors.push_back(std::to_string(pid));
  }
  if (!supervisors.empty()) pids = supervisors;  // supervisord stops what it runs
  std::string what = shown.empty() ? std::string() : ": " + join(shown, ", ");
  if (running.socket_answers) what += std::string(shown.empty() ? ": " : "; ") + (o.dir / "run/svd.sock").string() + " answers";
  throw UsageError("the original dkumonitor still runs in " + o.dir.string() + what +
                   ". Stop it first, with its own command: " + (o.dir / "bin/dkm").string() + " stop" +
                   (pids.empty() ? std::string() : "  (or: kill " + join(pids, " ") + ")") +
                   ", then run the migration again (two supervisors must never run one install)");
}

void check_migration_privileges(const OriginalInstall& o) {
  if (::geteuid() != 0) return;
  for (const char* name : {"", "conf", "bin", "storage", "run", "pyenv"}) {
    fs::path path = std::string(name).empty() ? o.dir : o.dir / name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || st.st_uid == 0) continue;
    passwd* pw = ::getpwuid(st.st_uid);
    std::string user = pw ? pw->pw_name : std::to_string(st.st_uid);
    throw UsageError(path.string() + " belongs to " + user + ": run as root, the migration would rename and remove "
                     "files that account controls. Run it as " + user + " instead: sudo -u " + user +
                     " INSTALLER -u -d " + shell_quote(o.dir.string()) + " (INSTALLER: this installer's path)");
  }
}

void check_migration_writable(const MigrationPlan& plan) {
  const OriginalInstall& o = plan.original;
  auto need = [&](const fs::path& dir, const std::string& why) {
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw UsageError(dir.string() + ": not writable by this account (" + errno_text() + "); the migration " + why +
                       ": run it as the install's owner");
  };
  std::error_code ec;
  if (fs::exists(fs::symlink_status(o.dir / plan.conf_orig, ec)))
    throw UsageError((o.dir / plan.conf_orig).string() + " already exists: the old conf/ would go there; move it away, "
                     "then migrate again");
  need(o.dir, "renames conf/, bin/, static, lib and dashboards in it");
  if (o.env_default || o.env_site) need(o.dir / "conf", "keeps bin/env-default and bin/env-site in it, as " + plan.conf_orig);
  if (!o.bin_other.empty() || fs::is_directory(o.dir / "bin", ec)) need(o.dir / "bin", "removes the old links from it");
  if (o.dashboards_dir) need(o.dir / "dashboards", "removes it (a link to the bundle's dashboards takes its place)");
  if (!o.has_pyenv) return;
  need(o.dir / "pyenv", "removes pyenv/, the original's virtualenv");
  for (auto it = fs::recursive_directory_iterator(o.dir / "pyenv", ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec)) need(it->path(), "removes pyenv/, the original's virtualenv");
}

MigrationFacts find_migration_facts(const OriginalInstall& o, const Bundle& bundle, const std::string& version) {
  MigrationFacts f;
  f.bundle_version = bundle.version(version);
  f.host.fqdn = local_fqdn();
  f.host.machine = read_machine();
  const InstallType& type = *original_install_type(o).first;
  if (type.has("collectd")) {
    fs::path plugin_dir = bundle.collectd_plugins();
    if (o.system_collectd) {
      f.host.system_collectd = find_in_path("collectd");
      if (f.host.system_collectd.empty())
        throw UsageError((o.dir / "conf/supervisord.conf").string() + " ran the system's collectd, and there is no "
                         "collectd in PATH: install collectd (or put it in PATH), then migrate again");
      f.host.system_collectd = fs::absolute(f.host.system_collectd).lexically_normal();
      plugin_dir = system_collectd_plugin_dir(f.host.system_collectd);
    }
    std::error_code ec;
    for (auto it = fs::directory_iterator(plugin_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".so") f.collectd_plugins.insert(it->path().stem().string());
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(o.whisper_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != ".wsp" || !it->is_regular_file(ec)) continue;
    ++f.whisper_files;
    f.whisper_bytes += it->file_size(ec);
  }
  if (type.has("grafana") && o.grafana_ini) {
    std::string db = o.grafana_ini->value("database", "path", "grafana.db");
    f.grafana_database = o.grafana_ini->value("database", "type", "sqlite3") != "sqlite3" ||
                         fs::exists(fs::path(db).is_absolute() ? fs::path(db) : o.grafana_data_dir / db, ec);
  }
  f.admin_password = generate_admin_password();
  f.secret_key = generate_secret_key();
  f.boot = boot::find_original_boot_services("/", o.dir);
  return f;
}

// --- the migration ---------------------------------------------------------------------

namespace {

/// Writes the new conf/ and bin/ (env and links) and the other links into `stage`.
void stage_new_tree(const MigrationPlan& plan, const Bundle& bundle, const fs::path& stage) {
  fs::create_directories(stage / "conf");
  fs::create_directories(stage / "bin");
  for (const auto& entry : plan.conf) {
    fs::create_directories((stage / entry.path).parent_path());
    materialize(stage, entry);
  }
  for (const auto& link : bundle_links(bundle)) materialize(stage, link);
  write_file_atomic(stage / "bin/env", render_env_file(plan.env), 0644);
}

}  // namespace

std::vector<std::string> apply_migration(const MigrationPlan& plan, const Bundle& bundle, const RenameFunction& rename) {
  const fs::path dir = plan.original.dir;
  auto move = [rename](const fs::path& from, const fs::path& to) {
    int rc = rename ? rename(from, to) : ::rename(from.c_str(), to.c_str());
    if (rc != 0) throw Error(from.string() + ": cannot rename to " + to.string() + ": " + errno_text());
  };
  std::string templ = (dir / ".dkm-migrate-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw Error(templ + ": cannot create staging directory: " + errno_text());
  const fs::path stage = templ;
  auto old_entry = [&](const std::string& name) { return dir / (stage.filename().string() + ".old-" + name); };
  std::error_code ec;
  std::vector<MigrationStep> steps;
  try {
    stage_new_tree(plan, bundle, stage);
    const fs::path conf_orig = dir / plan.conf_orig;
    steps.push_back({"rename conf/ to " + plan.conf_orig + "/", [=] { move(dir / "conf", conf_orig); },
                     [=] { move(conf_orig, dir / "conf"); }});
    for (const auto& env_file : {std::pair{"env-default", plan.original.env_default},
                                 std::pair{"env-site", plan.original.env_site}}) {
      if (!env_file.second) continue;
      fs::path kept = conf_orig / env_file.first;
      std::string text = *env_file.second;
      steps.push_back({std::string("keep bin/") + env_file.first + " in " + plan.conf_orig + "/",
                       [=] { write_file_atomic(kept, text, 0644); }, [=] { fs::remove(kept); }});
    }
    steps.push_back({"put the new conf/ in place", [=] { move(stage / "conf", dir / "conf"); },
                     [=] { move(dir / "conf", stage / "conf"); }});
    for (const auto& name : plan.original.bin_other)  // the admin's own files stay in bin/
      steps.push_back({"keep bin/" + name, [=] { move(dir / "bin" / name, stage / "bin" / name); },
                       [=] { move(stage / "bin" / name, dir / "bin" / name); }});
    for (const std::string name : {"static", "lib", "dashboards", "bin"}) {  // bin last: bin/env marks the install
      if (fs::exists(fs::symlink_status(dir / name, ec)))
        steps.push_back({"set the original's " + name + " aside", [=] { move(dir / name, old_entry(name)); },
                         [=] { move(old_entry(name), dir / name); }});
      steps.push_back({"put the new " + name + " in place", [=] { move(stage / name, dir / name); },
                       [=] { move(dir / name, stage / name); }});
    }
    run_migration_steps(steps);
  } catch (...) {
    fs::remove_all(stage, ec);
    throw;
  }
  // Everything is in place: only now do the original's entries go, pyenv/ last.
  std::vector<std::string> warnings;
  for (const fs::path& p : {old_entry("static"), old_entry("lib"), old_entry("dashboards"), old_entry("bin"), stage,
                            dir / "pyenv"}) {
    fs::remove_all(p, ec);
    if (ec) warnings.push_back("could not remove " + p.string() + " (" + ec.message() + "); remove it by hand");
  }
  return warnings;
}

bool holds_original_install(const fs::path& dir) {
  InstallLayout layout(dir);
  std::error_code ec;
  if (layout.holds_install() || !fs::is_directory(layout.root(), ec)) return false;
  return looks_like_original_install(DiskOriginalFiles(layout.root()));
}

MigrationOutcome migrate_original_install(const fs::path& dir, const MigrationOptions& options, bool dry_run,
                                          const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(dir);
  OriginalInstall original = read_original_install(DiskOriginalFiles(layout.root()), layout.root());
  if (std::string why = path_problem(bundle.root().string()); !why.empty())
    throw UsageError("the bundle's directory " + bundle.root().string() + ": " + why + "; move the bundle");
  MigrationFacts facts = find_migration_facts(original, bundle, fallback_version);
  MigrationPlan plan = plan_migration(original, options, facts, bundle);
  bundle.check(plan.plan.options.services, plan.plan.system_collectd.empty(), "the migrated " + plan.plan.type().name + " install");
  check_collectd_plugins(plan.conf, plan.plan, bundle);
  std::string refused;
  for (const auto& check : std::vector<std::function<void()>>{[&] { check_migration_privileges(original); },
                                                              [&] { check_original_stopped(original); },
                                                              [&] { check_migration_writable(plan); }}) {
    try {
      check();
    } catch (const UsageError& e) {
      if (!dry_run) throw;
      refused += std::string("  ") + e.what() + "\n";
    }
  }
  if (dry_run) {
    std::string text = migration_summary(plan, true);
    if (refused.empty()) return {text, kExitOk};
    return {text + "The migration would be refused now:\n" + refused, kExitUsage};
  }
  std::vector<std::string> warnings = apply_migration(plan, bundle);
  return {migration_summary(plan, false, warnings), kExitOk};
}

std::string update_preview(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(dir);
  check_update_allowed(dir, bundle);  // a dry run reads bin/env: not another account's
  std::optional<std::string> text = DirHandle(layout.root(), true).subdir("bin").read_file("env");
  if (!text) throw UsageError("-d/--directory: " + layout.env_file().string() + " cannot be read as a file of the install's own");
  auto env = parse_env_file(*text, layout.env_file().string());
  std::ostringstream out;
  out << "dry run, nothing changed: installer -u would point the install in " << layout.root().string() << " at "
      << bundle.root().string() << "\n"
      << "  version " << (env.count("DKM_VERSION") ? env["DKM_VERSION"] : "?") << " -> " << bundle.version(fallback_version)
      << "\n  relink bin/dkm, bin/dkmadmin, static, lib and dashboards into it; rewrite bin/env (DKM_BUNDLE, DKM_VERSION)\n"
      << "  conf/ and storage/ stay as they are\n";
  return out.str();
}

}  // namespace dkm::install

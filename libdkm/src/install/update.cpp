// Updating an install to a new bundle: links and bin/env, nothing else.
#include <dkm/install/update.hpp>

#include "install_dir.hpp"

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/privilege.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/plan.hpp>
#include <dkm/supervise/services_file.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace dkm::install {

namespace {

/// DIR and DIR/bin, opened once: the update's links and bin/env are written through them.
struct InstallHandles {
  DirHandle home;  ///< DIR
  DirHandle bin;   ///< DIR/bin, never through a link
  /// The handle of the directory that holds `entry` (a path relative to DIR).
  const DirHandle& of(const fs::path& entry) const { return entry.parent_path() == "bin" ? bin : home; }
};

/// The sections of an install's services file, as written; nothing when it is missing
/// or edited beyond INI (the type then says what the install needs).
std::optional<std::vector<supervise::ServicesSection>> services_sections(const InstallLayout& layout) {
  try {
    return supervise::read_sections(read_file(layout.services_file()), layout.services_file());
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// True when the services file runs the bundle's collectd (not a system one named by path).
bool runs_bundled_collectd(const InstallLayout& layout) {
  auto sections = services_sections(layout);
  if (!sections) return true;
  for (const auto& section : *sections) {
    if (section.name != "program:collectd") continue;
    auto command = section.values.find("command");
    return command != section.values.end() && command->second.find("%(ENV_DKM_BUNDLE)s/bin/collectd") != std::string::npos;
  }
  return false;
}

/// The entries of DIR an update reads or writes through (the links into the bundle are
/// replaced, never followed): whose they are says whose install it is.
std::vector<fs::path> update_paths(const InstallLayout& layout) {
  return {layout.root(), layout.bin(), layout.env_file(), layout.conf(), layout.services_file()};
}

/// Throws UsageError unless DIR exists and holds an install.
void check_install_exists(const InstallLayout& layout) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(layout.root(), ec)))
    throw UsageError("-d/--directory: " + layout.root().string() + " does not exist: there is no install to update");
  if (!fs::is_directory(layout.root(), ec))
    throw UsageError("-d/--directory: " + layout.root().string() + " is not a directory");
  if (!layout.holds_install())
    throw UsageError("-d/--directory: " + layout.root().string() + " holds no install (no " + layout.env_file().string() +
                     ", nor an original dkumonitor install's bin/env-default); install first, without -u");
}

/// Opens DIR and DIR/bin once, after checking that root is not updating another
/// account's install (the privilege rule): everything the update reads and writes goes
/// through these handles, so that a link planted or swapped in later is never followed.
InstallHandles open_own_install(const InstallLayout& layout, const Bundle& bundle) {
  check_install_exists(layout);
  refuse_another_accounts_paths(update_paths(layout), shell_quote((bundle.root() / "installer").string()) + " -u -d " +
                                                          shell_quote(layout.root().string()));
  try {
    DirHandle home(layout.root(), true);
    DirHandle bin = home.subdir("bin");
    // The check went by path; the handles are what is written through.
    for (const DirHandle* dir : {&home, &bin})
      if (::geteuid() == 0 && dir->status().st_uid != 0)
        throw UsageError(dir->path().string() + " changed while the update checked it and now belongs to " +
                         account_name(dir->status().st_uid) + "; nothing was written");
    return {std::move(home), std::move(bin)};
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw UsageError(std::string("-d/--directory: ") + e.what());
  }
}

/// Checks that the install can be served by this bundle; its environment file's variables.
std::map<std::string, std::string> check_install(const InstallLayout& layout, const InstallHandles& dirs,
                                                 const Bundle& bundle) {
  if (std::string why = path_problem(bundle.root().string()); !why.empty())
    throw UsageError("the bundle's directory " + bundle.root().string() + ": " + why + "; move the bundle");
  std::map<std::string, std::string> env;
  std::optional<std::string> text = dirs.bin.read_file("env");
  if (!text)
    throw UsageError("-d/--directory: " + layout.env_file().string() + " cannot be read as a file of the install's own "
                     "(a link is never read through)");
  try {
    env = parse_env_file(*text, layout.env_file().string());
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  const InstallType& type = find_install_type(env.count("DKM_INSTALL_TYPE") ? env["DKM_INSTALL_TYPE"] : "",
                                              layout.env_file().string() + ": DKM_INSTALL_TYPE");
  // A system collectd is named in services.ini; the bundle's is then not needed.
  bundle.check(installed_services(layout, type), runs_bundled_collectd(layout),
               "the " + type.name + " install in " + layout.root().string());
  require_writable(layout.root(), "-d/--directory", layout.root());
  require_writable(layout.bin(), "-d/--directory", layout.bin());
  for (const auto& link : bundle_links(bundle)) {
    auto st = dirs.of(link.path).entry_status(link.path.filename().string());
    if (st && !S_ISLNK(st->st_mode))
      throw UsageError("-d/--directory: " + (layout.root() / link.path).string() +
                       " is not a link into a bundle; move it away and update again");
  }
  return env;
}

/// Replaces DIR's links into the bundle and rewrites bin/env, through the handles; on
/// failure the old links come back.
void relink(const InstallHandles& dirs, const Bundle& bundle, const std::map<std::string, std::string>& env) {
  std::vector<std::pair<fs::path, fs::path>> previous;  // link, its old target (empty: none)
  try {
    for (const auto& link : bundle_links(bundle)) {
      const DirHandle& dir = dirs.of(link.path);
      std::string name = link.path.filename().string();
      fs::path old = dir.read_symlink(name).value_or(fs::path());
      dir.replace_symlink(name, link.target);
      previous.emplace_back(link.path, old);
    }
    dirs.bin.write_file_atomic("env", render_env_file(env), 0644);
  } catch (...) {
    for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
      const DirHandle& dir = dirs.of(it->first);
      try {
        if (it->second.empty()) dir.remove(it->first.filename().string());
        else dir.replace_symlink(it->first.filename().string(), it->second);
      } catch (const Error&) {
        // Best effort: the first error is the one to report.
      }
    }
    throw;
  }
}

}  // namespace

std::vector<std::string> installed_services(const InstallLayout& layout, const InstallType& type) {
  auto sections = services_sections(layout);
  if (!sections) return type.services;
  std::vector<std::string> out;
  for (const auto& service : all_services()) {
    bool declared = std::any_of(sections->begin(), sections->end(),
                                [&](const supervise::ServicesSection& s) { return s.name == "program:" + service; });
    if (type.has(service) || declared) out.push_back(service);
  }
  return out;
}

std::map<std::string, std::string> updated_env(const std::map<std::string, std::string>& old, const fs::path& home,
                                               const fs::path& bundle, const std::string& version,
                                               std::vector<std::string>& dropped) {
  std::map<std::string, std::string> env;
  for (const auto& [key, value] : old) {
    const auto& keys = env_keys();
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) env[key] = value;
    else dropped.push_back(key);
  }
  env["DKM_HOME"] = home.string();
  env["DKM_BUNDLE"] = bundle.string();
  env["DKM_VERSION"] = version;
  return env;
}

void check_update_allowed(const fs::path& dir, const Bundle& bundle) { open_own_install(InstallLayout(dir), bundle); }

UpdateResult update(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(dir);
  InstallHandles dirs = open_own_install(layout, bundle);
  std::map<std::string, std::string> env = check_install(layout, dirs, bundle);
  UpdateResult result;
  result.layout = layout;
  result.old_version = env.count("DKM_VERSION") ? env["DKM_VERSION"] : "";
  result.old_bundle = env.count("DKM_BUNDLE") ? env["DKM_BUNDLE"] : "";
  result.version = bundle.version(fallback_version);
  result.bundle = bundle.root();
  relink(dirs, bundle, updated_env(env, layout.root(), bundle.root(), result.version, result.dropped_env_keys));
  return result;
}

}  // namespace dkm::install

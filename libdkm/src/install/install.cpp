// Installing a bundle into a directory, all-or-nothing.
#include <dkm/install/install.hpp>

#include "install_dir.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/machine.hpp>

#include "secrets.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

namespace dkm::install {

void require_writable(const fs::path& dir, const std::string& flag, const fs::path& target) {
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    std::string why = errno_text();
    throw UsageError(flag + ": cannot write " + target.string() + (dir == target ? "" : " (in " + dir.string() + ")") +
                     ": " + why);
  }
}

const std::vector<std::string>& owned_names() {
  static const std::vector<std::string> names{"conf", "bin", "storage", "run", "static", "lib", "dashboards"};
  return names;
}

namespace {

/// The nearest existing ancestor of `path` (itself if it exists).
fs::path existing_ancestor(fs::path path) {
  std::error_code ec;
  while (!fs::exists(path, ec) && path.has_parent_path() && path != path.parent_path()) path = path.parent_path();
  return path;
}

/// Checks that DIR may receive a new install; throws UsageError naming the flag otherwise.
void check_new_install_target(const InstallLayout& layout) {
  const fs::path& dir = layout.root();
  std::error_code ec;
  fs::file_status st = fs::symlink_status(dir, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(fs::status(dir, ec)))
      throw UsageError("-d/--directory: " + dir.string() + " exists and is not a directory");
    if (layout.holds_install())
      throw UsageError("-d/--directory: " + dir.string() + " already holds an install (" + layout.env_file().string() +
                       "); update it with: installer -u -d " + dir.string());
    for (const auto& name : owned_names())
      if (fs::exists(fs::symlink_status(dir / name, ec)))
        throw UsageError("-d/--directory: " + (dir / name).string() +
                         " already exists; install into a new or empty directory");
    require_writable(dir, "-d/--directory", dir);
  } else {
    fs::path ancestor = existing_ancestor(dir.parent_path());
    if (!fs::is_directory(ancestor, ec))
      throw UsageError("-d/--directory: " + ancestor.string() + " is not a directory, so " + dir.string() +
                       " cannot be created");
    require_writable(ancestor, "-d/--directory", dir);
  }
}

/// The process's umask, read without changing it for good.
mode_t current_umask() {
  mode_t mask = ::umask(022);
  ::umask(mask);
  return mask;
}

/// Removes a directory tree, ignoring errors (cleanup after a failure).
void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

/// Writes `tree` into a staging directory and puts it at `dir`: beside DIR, renamed into
/// place whole (a new DIR), or inside an existing empty DIR (which keeps its own mode and
/// owner), its entries renamed in, bin/ (the install's marker) last. Leaves nothing on failure.
void put_in_place(const std::vector<TreeEntry>& tree, const fs::path& dir) {
  std::error_code ec;
  bool dir_exists = fs::exists(fs::symlink_status(dir, ec));
  std::vector<fs::path> created_parents;
  if (!dir_exists) {
    for (fs::path p = dir.parent_path(); !fs::exists(p, ec); p = p.parent_path()) created_parents.insert(created_parents.begin(), p);
    for (const auto& p : created_parents)
      if (::mkdir(p.c_str(), 0777) != 0 && errno != EEXIST) {
        std::string why = errno_text();
        for (auto it = created_parents.rbegin(); it != created_parents.rend(); ++it) ::rmdir(it->c_str());
        throw Error(p.string() + ": cannot create directory: " + why);
      }
  }
  auto undo_parents = [&] {
    for (auto it = created_parents.rbegin(); it != created_parents.rend(); ++it) ::rmdir(it->c_str());
  };
  // A short name: beside a DIR whose own name is near NAME_MAX, ".DIR.suffix" would not fit.
  std::string templ = ((dir_exists ? dir : dir.parent_path()) / ".dkm-install-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    std::string why = errno_text();
    undo_parents();
    throw Error(templ + ": cannot create staging directory: " + why);
  }
  fs::path stage = templ;
  try {
    for (const auto& entry : tree) materialize(stage, entry);
    if (!dir_exists) {
      if (::chmod(stage.c_str(), 0777 & ~current_umask()) != 0)
        throw Error(dir.string() + ": cannot move the staged install into place: " + errno_text());
      publish_directory(stage, dir);
    } else {
      std::vector<std::string> order = owned_names();
      std::rotate(order.begin(), order.begin() + 2, order.end());  // bin (the install's marker) last
      std::vector<std::string> moved;
      for (const auto& name : order) {
        if (!fs::exists(fs::symlink_status(stage / name, ec))) continue;
        if (::rename((stage / name).c_str(), (dir / name).c_str()) != 0) {
          std::string why = errno_text();
          for (const auto& back : moved) ::rename((dir / back).c_str(), (stage / back).c_str());
          throw Error((dir / name).string() + ": cannot move the staged entry into place: " + why);
        }
        moved.push_back(name);
      }
      remove_quietly(stage);
    }
  } catch (...) {
    remove_quietly(stage);
    undo_parents();
    throw;
  }
}

}  // namespace

/// Creates one tree entry under `root`.
void materialize(const fs::path& root, const TreeEntry& entry) {
  fs::path path = root / entry.path;
  std::error_code ec;
  switch (entry.kind) {
    case TreeEntry::kDirectory:
      fs::create_directories(path, ec);
      if (ec) throw Error(path.string() + ": cannot create directory: " + ec.message());
      break;
    case TreeEntry::kFile: write_file_atomic(path, entry.content, entry.mode); break;
    case TreeEntry::kSymlink:
      fs::create_symlink(entry.target, path, ec);
      if (ec) throw Error(path.string() + ": cannot create link to " + entry.target.string() + ": " + ec.message());
      break;
  }
}

HostFacts find_host_facts(const InstallOptions& opt) {
  HostFacts facts;
  facts.fqdn = local_fqdn();
  facts.machine = read_machine();
  if (opt.system_collectd) {
    facts.system_collectd = find_in_path("collectd");
    if (facts.system_collectd.empty()) {
      const char* path = ::getenv("PATH");
      throw UsageError("--system-collectd: no collectd found in PATH (" + std::string(path ? path : "") +
                       "); install collectd, or leave the flag out to run the bundle's");
    }
    facts.system_collectd = fs::absolute(facts.system_collectd).lexically_normal();
    if (std::string why = path_problem(facts.system_collectd.string()); !why.empty())
      throw UsageError("--system-collectd: " + facts.system_collectd.string() + ": " + why);
  }
  return facts;
}

fs::path system_collectd_plugin_dir(const fs::path& collectd) {
  RunResult r = run_process({collectd.string(), "-h"});
  for (const auto& raw : split(r.output, '\n')) {
    std::string_view line = trim(raw);
    if (line.rfind("Plugin directory", 0) == 0) return fs::path(std::string(trim(line.substr(16))));
  }
  return {};
}

void check_collectd_plugins(const std::vector<TreeEntry>& tree, const InstallPlan& plan, const Bundle& bundle) {
  if (!plan.has("collectd")) return;
  fs::path dir = plan.system_collectd.empty() ? bundle.collectd_plugins() : system_collectd_plugin_dir(plan.system_collectd);
  if (dir.empty()) return;  // a collectd that does not say: its own start will tell
  std::vector<std::string> missing;
  for (const auto& plugin : loaded_collectd_plugins(tree)) {
    std::error_code ec;
    if (!fs::exists(dir / (plugin + ".so"), ec)) missing.push_back(plugin);
  }
  if (missing.empty()) return;
  std::string msg = "collectd plugins " + join(missing, ", ") + " not found in " + dir.string();
  if (!plan.system_collectd.empty())
    throw UsageError("--system-collectd: " + msg + " (the plugin directory of " + plan.system_collectd.string() + ")");
  throw Error("the bundle's " + msg);
}

std::optional<DiskNeed> plan_disk_need(const InstallPlan& plan, const std::vector<TreeEntry>& tree) {
  if (!plan.has("go-carbon")) return std::nullopt;
  for (const auto& entry : tree)
    if (entry.kind == TreeEntry::kFile && entry.path == "conf/storage-schemas.conf")
      return disk_need(sizing_input(plan), entry.content, (plan.layout.conf() / "storage-schemas.conf").string());
  return std::nullopt;
}

InstallResult install_bundle(const InstallOptions& opt, const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(opt.directory);
  if (std::string why = path_problem(bundle.root().string()); !why.empty())
    throw UsageError("the bundle's directory " + bundle.root().string() + ": " + why + "; move the bundle");
  bundle.check(opt.services.empty() ? opt.type->services : opt.services, !opt.system_collectd,
               "install type " + opt.type->name);
  check_new_install_target(layout);
  HostFacts facts = find_host_facts(opt);

  InstallResult result;
  result.version = bundle.version(fallback_version);
  result.bundle = bundle.root();
  bool grafana = opt.type->has("grafana");
  result.plan = make_plan(opt, facts, grafana ? generate_admin_password() : "", grafana ? generate_secret_key() : "");
  std::vector<TreeEntry> tree = plan_tree(result.plan, bundle, result.version);
  check_collectd_plugins(tree, result.plan, bundle);
  result.disk = plan_disk_need(result.plan, tree);

  put_in_place(tree, layout.root());
  struct statvfs fs_stat {};
  if (result.disk && ::statvfs(result.plan.whisper_dir.c_str(), &fs_stat) == 0)
    result.disk_free = static_cast<std::uint64_t>(fs_stat.f_bavail) * fs_stat.f_frsize;
  return result;
}

}  // namespace dkm::install

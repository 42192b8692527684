#pragma once
// Installing and updating on disk, all-or-nothing.
//
// Install: every check first (bundle, DIR, collectd, host name), then the whole tree is
// rendered in memory (install_plan.hpp), written into a temporary directory beside DIR
// (or inside DIR when DIR already exists), and renamed into place. Any failure removes
// what was staged: DIR is left as it was.
//
// Update (-u): DIR's links into the bundle (bin/dkm, bin/dkmadmin, static, lib,
// dashboards) are replaced one by one with rename(2), then bin/env is rewritten
// atomically; a failure puts the old links back. conf/ and storage/ are never written.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/runtime/bundle.hpp>
#include <dkm/runtime/hostnames.hpp>
#include <dkm/runtime/install_options.hpp>
#include <dkm/runtime/install_plan.hpp>
#include <dkm/runtime/layout.hpp>
#include <dkm/runtime/secrets.hpp>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace dkm::runtime {

/// What an install did, for the summary.
struct InstallResult {
  InstallPlan plan;     ///< the settings written
  std::string version;  ///< the bundle's version
  fs::path bundle;      ///< the bundle linked
};

/// What an update did, for the summary.
struct UpdateResult {
  InstallLayout layout{"/"};  ///< the install updated
  std::string old_version;    ///< DKM_VERSION before
  std::string version;        ///< DKM_VERSION now
  fs::path old_bundle;        ///< DKM_BUNDLE before
  fs::path bundle;            ///< DKM_BUNDLE now
};

namespace detail {

/// The nearest existing ancestor of `path` (itself if it exists).
inline fs::path existing_ancestor(fs::path path) {
  std::error_code ec;
  while (!fs::exists(path, ec) && path.has_parent_path() && path != path.parent_path()) path = path.parent_path();
  return path;
}

/// Throws UsageError naming `flag` unless this process may create entries in directory `dir`.
inline void require_writable(const fs::path& dir, const std::string& flag, const fs::path& target) {
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    std::string why = errno_text();
    throw UsageError(flag + ": cannot write " + target.string() + (dir == target ? "" : " (in " + dir.string() + ")") +
                     ": " + why);
  }
}

/// The top-level names an install owns in DIR.
inline const std::vector<std::string>& owned_names() {
  static const std::vector<std::string> names{"conf", "bin", "storage", "run", "static", "lib", "dashboards"};
  return names;
}

/// Checks that DIR may receive a new install; throws UsageError naming the flag otherwise.
inline void check_new_install_target(const InstallLayout& layout) {
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
inline mode_t current_umask() {
  mode_t mask = ::umask(022);
  ::umask(mask);
  return mask;
}

/// Creates one tree entry under `root`.
inline void materialize(const fs::path& root, const TreeEntry& entry) {
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

/// Removes a directory tree, ignoring errors (cleanup after a failure).
inline void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

}  // namespace detail

/// Finds the host facts an install needs: this host's name, and collectd in PATH when asked.
inline HostFacts find_host_facts(const InstallOptions& opt) {
  HostFacts facts;
  facts.fqdn = local_fqdn();
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

/// The plugin directory a system collectd was built with (`collectd -h`), or empty.
inline fs::path system_collectd_plugin_dir(const fs::path& collectd) {
  RunResult r = run_process({collectd.string(), "-h"});
  for (const auto& raw : split(r.output, '\n')) {
    std::string_view line = trim(raw);
    if (line.rfind("Plugin directory", 0) == 0) return fs::path(std::string(trim(line.substr(16))));
  }
  return {};
}

/// Checks that every plugin the rendered collectd config loads exists as PLUGIN.so.
inline void check_collectd_plugins(const std::vector<TreeEntry>& tree, const InstallPlan& plan, const Bundle& bundle) {
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

/// Installs this bundle into opt.directory. Throws UsageError (bad input) or Error
/// (the bundle or the system); in both cases nothing is left behind.
inline InstallResult install(const InstallOptions& opt, const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(opt.directory);
  if (std::string why = path_problem(bundle.root().string()); !why.empty())
    throw UsageError("the bundle's directory " + bundle.root().string() + ": " + why + "; move the bundle");
  bundle.check(opt.services.empty() ? opt.type->services : opt.services, !opt.system_collectd,
               "install type " + opt.type->name);
  detail::check_new_install_target(layout);
  HostFacts facts = find_host_facts(opt);

  InstallResult result;
  result.version = bundle.version(fallback_version);
  result.bundle = bundle.root();
  bool grafana = opt.type->has("grafana");
  result.plan = make_plan(opt, facts, grafana ? generate_admin_password() : "", grafana ? generate_secret_key() : "");
  std::vector<TreeEntry> tree = plan_tree(result.plan, bundle, result.version);
  check_collectd_plugins(tree, result.plan, bundle);

  // Stage beside DIR (a new DIR is renamed into place whole) or inside it (an existing,
  // empty DIR keeps its own mode and owner; its new entries are renamed in, bin/ last).
  const fs::path& dir = layout.root();
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
  std::string templ = dir_exists ? (dir / ".dkm-install-XXXXXX").string()
                                 : (dir.parent_path() / ("." + dir.filename().string() + ".dkm-install-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    std::string why = errno_text();
    undo_parents();
    throw Error(templ + ": cannot create staging directory: " + why);
  }
  fs::path stage = templ;
  try {
    for (const auto& entry : tree) detail::materialize(stage, entry);
    if (!dir_exists) {
      if (::chmod(stage.c_str(), 0777 & ~detail::current_umask()) != 0 ||
          ::rename(stage.c_str(), dir.c_str()) != 0)
        throw Error(dir.string() + ": cannot move the staged install into place: " + errno_text());
    } else {
      std::vector<std::string> order = detail::owned_names();
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
      detail::remove_quietly(stage);
    }
  } catch (...) {
    detail::remove_quietly(stage);
    undo_parents();
    throw;
  }
  return result;
}

/// The services an existing install runs: its type's, and any other its services file
/// declares as [program:NAME] (a query front's carbonapi is not in the frontend type).
inline std::vector<std::string> installed_services(const InstallLayout& layout, const InstallType& type) {
  boost::property_tree::ptree ini;
  try {
    boost::property_tree::read_ini(layout.services_file().string(), ini);
  } catch (const boost::property_tree::ptree_error&) {
    return type.services;  // missing or edited beyond INI: the type still says what it needs
  }
  std::vector<std::string> out;
  for (const auto& service : all_services())
    if (type.has(service) || ini.find("program:" + service) != ini.not_found()) out.push_back(service);
  return out;
}

/// Points the install in `dir` at this bundle (links and bin/env); conf/ and storage/
/// are not touched. Throws UsageError when `dir` holds no install.
inline UpdateResult update(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(dir);
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(layout.root(), ec)))
    throw UsageError("-d/--directory: " + layout.root().string() + " does not exist: there is no install to update");
  if (!fs::is_directory(layout.root(), ec))
    throw UsageError("-d/--directory: " + layout.root().string() + " is not a directory");
  if (!layout.holds_install())
    throw UsageError("-d/--directory: " + layout.root().string() + " holds no install (no " + layout.env_file().string() +
                     ", nor an original dkumonitor install's bin/env-default); install first, without -u");
  if (std::string why = path_problem(bundle.root().string()); !why.empty())
    throw UsageError("the bundle's directory " + bundle.root().string() + ": " + why + "; move the bundle");

  std::map<std::string, std::string> env;
  try {
    env = parse_env_file(read_file(layout.env_file()), layout.env_file().string());
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  std::string type_name = env.count("DKM_INSTALL_TYPE") ? env["DKM_INSTALL_TYPE"] : "";
  const InstallType& type = find_install_type(type_name, layout.env_file().string() + ": DKM_INSTALL_TYPE");
  // A system collectd is named in services.ini; the bundle's is then not needed.
  bool bundled_collectd = true;
  if (fs::is_regular_file(layout.services_file(), ec))
    bundled_collectd = read_file(layout.services_file()).find("%(ENV_DKM_BUNDLE)s/bin/collectd") != std::string::npos;
  bundle.check(installed_services(layout, type), bundled_collectd,
               "the " + type.name + " install in " + layout.root().string());
  detail::require_writable(layout.root(), "-d/--directory", layout.root());
  detail::require_writable(layout.bin(), "-d/--directory", layout.bin());

  std::vector<TreeEntry> links = bundle_links(bundle);
  for (const auto& link : links) {
    fs::path path = layout.root() / link.path;
    fs::file_status st = fs::symlink_status(path, ec);
    if (fs::exists(st) && !fs::is_symlink(st))
      throw UsageError("-d/--directory: " + path.string() + " is not a link into a bundle; move it away and update again");
  }

  UpdateResult result;
  result.layout = layout;
  result.old_version = env.count("DKM_VERSION") ? env["DKM_VERSION"] : "";
  result.old_bundle = env.count("DKM_BUNDLE") ? env["DKM_BUNDLE"] : "";
  result.version = bundle.version(fallback_version);
  result.bundle = bundle.root();
  env["DKM_HOME"] = layout.root().string();
  env["DKM_BUNDLE"] = bundle.root().string();
  env["DKM_VERSION"] = result.version;

  // Each link is replaced by rename(2), atomically; on failure the old ones come back.
  std::vector<std::pair<fs::path, fs::path>> previous;  // path, old target (empty: none)
  auto restore = [&] {
    for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
      std::error_code e;
      if (it->second.empty()) {
        fs::remove(it->first, e);
        continue;
      }
      fs::path tmp = temp_sibling(it->first);
      fs::create_symlink(it->second, tmp, e);
      if (!e && ::rename(tmp.c_str(), it->first.c_str()) != 0) fs::remove(tmp, e);
    }
  };
  try {
    for (const auto& link : links) {
      fs::path path = layout.root() / link.path;
      fs::path old = fs::is_symlink(fs::symlink_status(path, ec)) ? fs::read_symlink(path, ec) : fs::path();
      fs::path tmp = temp_sibling(path);
      fs::create_symlink(link.target, tmp, ec);
      if (ec) throw Error(tmp.string() + ": cannot create link: " + ec.message());
      if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        fs::remove(tmp, ec);
        throw Error(path.string() + ": cannot replace link: " + why);
      }
      previous.emplace_back(path, old);
    }
    write_file_atomic(layout.env_file(), render_env_file(env), 0644);
  } catch (...) {
    restore();
    throw;
  }
  return result;
}

/// True when carbonapi's backends may include this install's own carbonserver (with a
/// wildcard listener, any backend on its port may be this host: no false alarm).
inline bool own_backend_listed(const InstallPlan& plan) {
  const IpAddress& listen = plan.carbonserver_listen;
  return std::any_of(plan.backends.begin(), plan.backends.end(), [&](const Endpoint& b) {
    if (b.port != plan.carbonserver_port) return false;
    if (listen.any()) return true;
    return is_loopback(b.host) ? is_loopback(listen.text) : b.host == listen.text;
  });
}

/// The lines printed at the end of a successful install.
inline std::string install_summary(const InstallResult& r) {
  const InstallPlan& plan = r.plan;
  const std::string& host = plan.fqdn.empty() ? std::string("localhost") : plan.fqdn;
  auto shown = [&](const IpAddress& ip) { return ip.any() ? host : ip.text; };
  std::ostringstream out;
  out << "dkumonitor " << r.version << " installed in " << plan.layout.root().string() << " (install type "
      << plan.type->name << ": " << join(plan.services, ", ") << ")\n";
  if (plan.has("grafana"))
    out << "  Grafana      http://" << host_port(host, plan.ports.grafana()) << "/  (reads "
        << plan.carbonapi_url << ")\n";
  if (plan.has("go-carbon"))
    out << "  carbon       " << host_port(shown(plan.carbon_listen), plan.ports.carbon())
        << "  plaintext, TCP and UDP: the Graphite server to give DSS (prefix dataiku.dss.INSTANCE)\n";
  if (plan.has("carbon-c-relay")) {
    std::vector<std::string> backends;
    for (const auto& b : plan.carbon_backends) backends.push_back(b.str());
    out << "  carbon       " << host_port(shown(plan.carbon_listen), plan.ports.carbon())
        << "  plaintext, TCP and UDP: carbon-c-relay, sharding over " << backends.size()
        << " backend(s) by consistent hashing: " << join(backends, ", ") << "\n";
  }
  if (plan.has("go-carbon")) {
    out << "  carbonserver " << host_port(plan.carbonserver_listen.text, plan.carbonserver_port);
    if (is_loopback(plan.carbonserver_listen.text))
      out << "  read by this host's carbonapi only (--carbonserver-listen IP lets a query front on another host read it)\n";
    else
      out << "  read by carbonapi: list it in the query front's --backends\n";
  }
  if (plan.has("carbonapi")) {
    std::vector<std::string> backends;
    for (const auto& b : plan.backends) backends.push_back(b.str());
    out << "  carbonapi    http://" << host_port(shown(plan.carbonapi_listen), plan.ports.carbonapi())
        << "/  Graphite API, reading " << plan.backends.size() << " backend(s): " << join(backends, ", ") << "\n";
    if (plan.has("go-carbon") && !own_backend_listed(plan))
      out << "  note: this install's own go-carbon (carbonserver " << host_port(plan.carbonserver_listen.text, plan.carbonserver_port)
          << ") is not among them: carbonapi does not read what it stores\n";
  }
  if (plan.has("collectd"))
    out << "  collectd     sends collectd." << collectd_host_node(plan.collectd_hostname) << ".* to " << plan.carbon_target.str()
        << " every " << kCollectInterval << " s"
        << (plan.system_collectd.empty() ? "" : " (system collectd " + plan.system_collectd.string() + ")") << "\n";
  out << "  ports        " << plan.ports.base() << "-" << plan.ports.last() << " reserved\n";
  if (plan.has("grafana"))
    out << "Grafana login: admin / " << plan.admin_password << "\n"
        << "  (shown this once; kept only in " << (plan.layout.conf() / "grafana.ini").string()
        << ", mode 0600, until Grafana's first start)\n";
  out << "Start it:      " << (plan.layout.bin() / "dkm").string() << " start\n"
      << "Start at boot: " << (plan.layout.bin() / "dkmadmin").string() << " install-boot  (as root)\n";
  return out.str();
}

/// The lines printed at the end of a successful update.
inline std::string update_summary(const UpdateResult& r) {
  std::ostringstream out;
  out << "dkumonitor install in " << r.layout.root().string() << " updated: "
      << (r.old_version.empty() ? "?" : r.old_version) << " -> " << r.version << "\n"
      << "  now running the bundle " << r.bundle.string() << "\n"
      << "  conf/ and storage/ left as they were\n"
      << "Restart to use it: " << (r.layout.bin() / "dkm").string() << " restart\n";
  return out.str();
}

}  // namespace dkm::runtime

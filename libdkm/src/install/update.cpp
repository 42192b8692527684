// Updating an install to a new bundle: links and bin/env, nothing else.
#include <dkm/install/update.hpp>

#include "install_dir.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/install/plan.hpp>
#include <dkm/supervise/services_file.hpp>

#include <map>
#include <optional>
#include <utility>

namespace dkm::install {

namespace {

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

/// Checks that `layout` holds an install this bundle can serve; its environment file's variables.
std::map<std::string, std::string> check_install(const InstallLayout& layout, const Bundle& bundle) {
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
  const InstallType& type = find_install_type(env.count("DKM_INSTALL_TYPE") ? env["DKM_INSTALL_TYPE"] : "",
                                              layout.env_file().string() + ": DKM_INSTALL_TYPE");
  // A system collectd is named in services.ini; the bundle's is then not needed.
  bundle.check(installed_services(layout, type), runs_bundled_collectd(layout),
               "the " + type.name + " install in " + layout.root().string());
  require_writable(layout.root(), "-d/--directory", layout.root());
  require_writable(layout.bin(), "-d/--directory", layout.bin());
  for (const auto& link : bundle_links(bundle)) {
    fs::path path = layout.root() / link.path;
    fs::file_status st = fs::symlink_status(path, ec);
    if (fs::exists(st) && !fs::is_symlink(st))
      throw UsageError("-d/--directory: " + path.string() + " is not a link into a bundle; move it away and update again");
  }
  return env;
}

/// Replaces DIR's links into the bundle and rewrites bin/env; on failure the old links come back.
void relink(const InstallLayout& layout, const Bundle& bundle, const std::map<std::string, std::string>& env) {
  std::vector<std::pair<fs::path, fs::path>> previous;  // link, its old target (empty: none)
  try {
    for (const auto& link : bundle_links(bundle)) {
      fs::path path = layout.root() / link.path;
      std::error_code ec;
      fs::path old = fs::is_symlink(fs::symlink_status(path, ec)) ? fs::read_symlink(path, ec) : fs::path();
      replace_symlink(path, link.target);
      previous.emplace_back(path, old);
    }
    write_file_atomic(layout.env_file(), render_env_file(env), 0644);
  } catch (...) {
    for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
      std::error_code ec;
      try {
        if (it->second.empty()) fs::remove(it->first, ec);
        else replace_symlink(it->first, it->second);
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

UpdateResult update(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version) {
  InstallLayout layout(dir);
  std::map<std::string, std::string> env = check_install(layout, bundle);
  UpdateResult result;
  result.layout = layout;
  result.old_version = env.count("DKM_VERSION") ? env["DKM_VERSION"] : "";
  result.old_bundle = env.count("DKM_BUNDLE") ? env["DKM_BUNDLE"] : "";
  result.version = bundle.version(fallback_version);
  result.bundle = bundle.root();
  env["DKM_HOME"] = layout.root().string();
  env["DKM_BUNDLE"] = bundle.root().string();
  env["DKM_VERSION"] = result.version;
  relink(layout, bundle, env);
  return result;
}

}  // namespace dkm::install

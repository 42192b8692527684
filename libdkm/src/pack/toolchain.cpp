// Finding toolchains and checking their versions against [requires].
#include "toolchain.hpp"

#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace dkm::pack {

std::vector<fs::path> toolchain_dirs(const std::string& tool, const ToolchainRoots& roots) {
  std::vector<std::pair<Version, fs::path>> dirs;
  auto scan = [&](const fs::path& root, const std::string& only_name) {
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      size_t dash = name.rfind('-');
      if (dash == std::string::npos || dash == 0) continue;
      if (!only_name.empty() && name.substr(0, dash) != only_name) continue;
      if (auto v = parse_version(name.substr(dash + 1)); v && fs::is_directory(it->path() / "bin", ec))
        dirs.emplace_back(*v, it->path() / "bin");
    }
  };
  if (tool == "go") scan(roots.debian_go, "go");
  scan(roots.toolchains, "");
  // Oldest first: the least recent toolchain that satisfies a requirement is the one
  // closest to what upstream declares as its minimum.
  std::stable_sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) {
    int c = compare_versions(a.first, b.first);
    return c != 0 ? c < 0 : a.second < b.second;
  });
  std::vector<fs::path> out;
  for (auto& [v, dir] : dirs) out.push_back(std::move(dir));
  return out;
}

std::vector<ToolCandidate> tool_candidates(const std::string& tool, const std::string& path_var, const ToolchainRoots& roots) {
  std::vector<ToolCandidate> out;
  std::set<fs::path> seen;
  bool path_hit = false;
  auto add = [&](const fs::path& dir, bool on_path) {
    fs::path candidate = dir / tool;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) != 0 || fs::is_directory(candidate, ec)) return;
    fs::path canonical = fs::canonical(candidate, ec);
    if (ec) return;
    bool first = on_path && !path_hit;
    if (on_path) path_hit = true;
    if (seen.insert(canonical).second) out.push_back({canonical, dir, first});
  };
  for (const auto& dir : split(path_var, ':')) add(fs::path(dir.empty() ? "." : dir), true);
  for (const auto& dir : toolchain_dirs(tool, roots)) add(dir, false);
  return out;
}

std::optional<Version> probe_version(const std::string& tool, const fs::path& program) {
  RunOptions options;
  options.cwd = "/";
  options.env["GOTOOLCHAIN"] = "local";  // never download another Go to answer
  options.env["LC_ALL"] = "C";
  std::vector<std::string> argv = {program.string(), tool == "go" ? "version" : "--version"};
  try {
    RunResult r = run_process(argv, options);
    if (!r.ok()) return std::nullopt;
    return find_version(r.output);
  } catch (const Error&) {
    return std::nullopt;
  }
}

VersionCache::VersionCache(fs::path file) : file_(std::move(file)) {
  std::error_code ec;
  if (!fs::exists(file_, ec)) return;
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(file_));
    for (const auto& [path, e] : j.items())
      entries_[path] = {e.at("size").get<uintmax_t>(), e.at("mtime_ns").get<int64_t>(), e.at("version").get<std::string>()};
  } catch (const std::exception&) {
    entries_.clear();  // a damaged cache only costs a probe
  }
}

std::optional<Version> VersionCache::version_of(const std::string& tool, const fs::path& program) {
  struct stat st {};
  if (::stat(program.c_str(), &st) != 0) return std::nullopt;
  int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  auto it = entries_.find(program.string());
  if (it != entries_.end() && it->second.size == static_cast<uintmax_t>(st.st_size) && it->second.mtime_ns == mtime_ns)
    return parse_version(it->second.version);
  auto v = probe_version(tool, program);
  if (!v) return std::nullopt;
  entries_[program.string()] = {static_cast<uintmax_t>(st.st_size), mtime_ns, version_string(*v)};
  dirty_ = true;
  return v;
}

void VersionCache::save() const {
  if (!dirty_) return;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [path, e] : entries_) j[path] = {{"size", e.size}, {"mtime_ns", e.mtime_ns}, {"version", e.version}};
  fs::create_directories(file_.parent_path());
  write_file_atomic(file_, j.dump(1) + "\n");
}

Tool ToolFinder::find(const std::string& tool, const Recipe& recipe) const {
  std::vector<const ToolRequirement*> reqs;
  for (const auto& r : recipe.requirements)
    if (r.tool == tool) reqs.push_back(&r);
  std::vector<std::string> found;
  for (const auto& candidate : candidates_(tool)) {
    const fs::path& program = candidate.program;
    auto version = probe_(tool, program);
    if (!version) {
      found.push_back(program.string() + " (no version)");
      continue;
    }
    bool ok = std::all_of(reqs.begin(), reqs.end(), [&](const ToolRequirement* r) {
      return satisfies(*version, r->op, *parse_version(r->version));
    });
    if (ok) return {tool, program, *version, candidate.first_on_path ? fs::path() : candidate.dir};
    found.push_back(tool + " " + version_string(*version) + " (" + program.string() + ")");
  }
  std::string where = tool == "go" ? "on PATH, in /usr/lib/go-*/bin or /opt/dkm-toolchains/*/bin"
                                   : "on PATH or in /opt/dkm-toolchains/*/bin";
  std::string hint = "; cmake/install-deps.sh --packaging installs the toolchains of the default recipes "
                     "(Go in /usr/lib/go-X.Y/bin, Node.js and yarn in /opt/dkm-toolchains/node-X.Y/bin), "
                     "or put a suitable " + tool + " first on PATH";
  if (reqs.empty()) {
    const BuildSpec* user = &recipe.builds.front();
    for (const auto& b : recipe.builds) {
      auto implicit = implicit_tools(b);
      if (std::find(implicit.begin(), implicit.end(), tool) != implicit.end()) {
        user = &b;
        break;
      }
    }
    throw Error(at_line(recipe.file.string(), user->line,
                        recipe.name + ": build system '" + std::string(to_string(user->system)) + "' needs " + tool +
                            (user->generate.empty() || tool != "make" ? "" : " (generate)") + ", found none " + where + hint));
  }
  std::vector<std::string> wanted;
  for (const auto* r : reqs) wanted.push_back(r->text());
  std::string message = recipe.name + " requires " + join(wanted, ", ") + "; ";
  message += found.empty() ? "no " + tool + " found " + where : "found " + join(found, ", ");
  throw Error(at_line(recipe.file.string(), reqs.front()->line, message + hint));
}

std::vector<std::string> implicit_tools(const BuildSpec& build) {
  std::vector<std::string> out;
  switch (build.system) {
    case BuildSystem::go: out = {"go"}; break;
    case BuildSystem::npm: out = build.yarn ? std::vector<std::string>{"node", "yarn"} : std::vector<std::string>{"node", "npm"}; break;
    case BuildSystem::autotools: out = {"make"}; break;
    case BuildSystem::command: break;
  }
  if (!build.generate.empty() && std::find(out.begin(), out.end(), "make") == out.end()) out.push_back("make");
  return out;
}

std::vector<std::string> needed_tools(const Recipe& recipe) {
  std::vector<std::string> out;
  for (const auto& b : recipe.builds)
    for (const auto& t : implicit_tools(b))
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  for (const auto& r : recipe.requirements)
    if (std::find(out.begin(), out.end(), r.tool) == out.end()) out.push_back(r.tool);
  return out;
}

}  // namespace dkm::pack

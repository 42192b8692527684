// Finding toolchains and checking their versions against [requires].
#include <dkm/pack/toolchain.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace dkm::pack {

std::vector<fs::path> tool_candidates(const std::string& tool, const std::string& path_var, const fs::path& go_roots) {
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& candidate) {
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) != 0 || fs::is_directory(candidate, ec)) return;
    fs::path canonical = fs::canonical(candidate, ec);
    if (ec) return;
    if (seen.insert(canonical).second) out.push_back(canonical);
  };
  for (const auto& dir : split(path_var, ':')) add(fs::path(dir.empty() ? "." : dir) / tool);
  if (tool == "go") {
    // Debian's golang-X.Y-go: /usr/lib/go-X.Y/bin/go, newest first.
    std::vector<std::pair<Version, fs::path>> roots;
    std::error_code ec;
    for (fs::directory_iterator it(go_roots, ec), end; !ec && it != end; it.increment(ec)) {
      std::string dir = it->path().filename().string();
      if (dir.rfind("go-", 0) != 0) continue;
      if (auto v = parse_version(dir.substr(3))) roots.emplace_back(*v, it->path() / "bin" / "go");
    }
    std::sort(roots.begin(), roots.end(), [](const auto& a, const auto& b) { return compare_versions(a.first, b.first) > 0; });
    for (const auto& [v, program] : roots) add(program);
  }
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
  for (const auto& program : candidates_(tool)) {
    auto version = probe_(tool, program);
    if (!version) {
      found.push_back(program.string() + " (no version)");
      continue;
    }
    bool ok = std::all_of(reqs.begin(), reqs.end(), [&](const ToolRequirement* r) {
      return satisfies(*version, r->op, *parse_version(r->version));
    });
    if (ok) return {tool, program, *version};
    found.push_back(tool + " " + version_string(*version) + " (" + program.string() + ")");
  }
  std::string where = tool == "go" ? "on PATH or in /usr/lib/go-*/bin" : "on PATH";
  std::string hint = tool == "go" ? "; install a newer go: dkmpack also looks in /usr/lib/go-X.Y/bin, where Debian's "
                                    "golang-X.Y-go packages go (cmake/install-deps.sh --packaging installs /usr/lib/go-1.24/bin/go)"
                                  : "; install it or put a suitable " + tool + " first on PATH";
  if (reqs.empty()) {
    throw Error(at_line(recipe.file.string(), recipe.build.line,
                        recipe.name + ": build system '" + std::string(to_string(recipe.build.system)) + "' needs " +
                            tool + ", found none " + where + hint));
  }
  std::vector<std::string> wanted;
  for (const auto* r : reqs) wanted.push_back(r->text());
  std::string message = recipe.name + " requires " + join(wanted, ", ") + "; ";
  message += found.empty() ? "no " + tool + " found " + where : "found " + join(found, ", ");
  throw Error(at_line(recipe.file.string(), reqs.front()->line, message + hint));
}

std::vector<std::string> implicit_tools(const BuildSpec& build) {
  switch (build.system) {
    case BuildSystem::go: return {"go"};
    case BuildSystem::npm: return build.yarn ? std::vector<std::string>{"node", "yarn"} : std::vector<std::string>{"node", "npm"};
    case BuildSystem::autotools: return {"make"};
    case BuildSystem::command: return {};
  }
  return {};
}

std::vector<std::string> needed_tools(const Recipe& recipe) {
  std::vector<std::string> out = implicit_tools(recipe.build);
  for (const auto& r : recipe.requirements)
    if (std::find(out.begin(), out.end(), r.tool) == out.end()) out.push_back(r.tool);
  return out;
}

}  // namespace dkm::pack

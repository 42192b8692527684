// Plans: resolving sources, filling placeholders, computing step keys, plan.json.
#include "plan.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/pack/sha256.hpp>

#include "git_source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <optional>

namespace dkm::pack {

using nlohmann::json;

const Tool* ComponentPlan::tool(const std::string& name) const {
  for (const auto& t : tools)
    if (t.name == name) return &t;
  return nullptr;
}

Recipe with_source_override(Recipe recipe, const fs::path& path) {
  SourceSpec s;
  s.type = SourceType::path;
  s.path = fs::absolute(path).lexically_normal();
  s.patches = recipe.source.patches;
  s.line = recipe.source.line;
  recipe.source = std::move(s);
  return recipe;
}

void for_each_tree_entry(const fs::path& dir, const std::function<void(const fs::path&, const struct stat&)>& visit) {
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::none, ec);
  if (ec) throw Error(dir.string() + ": cannot read: " + ec.message());
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) throw Error(dir.string() + ": cannot read: " + ec.message());
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0) visit(it->path(), st);
  }
}

std::string tree_fingerprint(const fs::path& dir) {
  std::vector<std::string> lines;
  for_each_tree_entry(dir, [&](const fs::path& path, const struct stat& st) {
    std::string line = path.lexically_relative(dir).string() + "\t" + std::to_string(st.st_mode) + "\t" +
                       std::to_string(st.st_size) + "\t" + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec);
    std::error_code ec;
    if (S_ISLNK(st.st_mode)) line += "\t" + fs::read_symlink(path, ec).string();
    lines.push_back(std::move(line));
  });
  std::sort(lines.begin(), lines.end());
  Sha256 h;
  for (const auto& l : lines) h.update(l + "\n");
  return h.hex();
}

namespace {

std::string mirror_hint(const Recipe& recipe, const std::string& what) {
  return ". Offline? Put " + what + " in a directory and pass --mirror DIR (recipe " + recipe.file.string() + ")";
}

std::string git_mirror_hint(const Recipe& recipe) {
  return mirror_hint(recipe, "a mirror clone (`git clone --mirror " + recipe.source.url + " " + recipe.name + ".git`)");
}

/// What the recipe's tag points to: the cached commit when it is the pinned one, else the
/// remote's, which must be the pinned one (a tag that moved upstream is an error).
std::string resolve_tag(const Recipe& recipe, const fs::path& cache, const std::string& location, bool offline,
                        const std::function<std::optional<std::string>(const std::string&)>& ask_remote) {
  const SourceSpec& s = recipe.source;
  const std::string file = recipe.file.string();
  std::string ref = "refs/tags/" + s.tag;
  auto cached = local_ref_commit(cache, ref);
  if (cached && (s.commit.empty() || *cached == s.commit)) return *cached;
  if (offline) return "";
  auto remote = ask_remote(ref);
  if (!remote) throw Error(at_line(file, s.line, recipe.name + ": tag " + s.tag + " not found in " + location));
  if (!s.commit.empty() && *remote != s.commit)
    throw Error(at_line(file, s.line,
                        recipe.name + ": tag " + s.tag + " of " + location + " points to " + *remote +
                            ", but the recipe pins " + s.commit +
                            ": the tag moved upstream (check the new commit, then update the pin)"));
  return *remote;
}

/// A git source resolved: its pinned commit, or what its tag or branch points to (the
/// cache first for a tag, the remote for a branch, the cache when the remote is unreachable).
ResolvedSource resolve_git_source(const Recipe& recipe, const BuildLayout& layout, const SourceOptions& options,
                                  std::vector<std::string>& warnings) {
  const SourceSpec& s = recipe.source;
  const std::string file = recipe.file.string();
  ResolvedSource r;
  std::error_code ec;
  r.location = s.url;
  if (options.mirror) {
    fs::path candidate = *options.mirror / (recipe.name + ".git");
    if (fs::is_directory(candidate, ec)) {
      r.location = candidate.string();
      r.from_mirror = true;
    }
  }
  auto ask_remote = [&](const std::string& ref) {
    try {
      return remote_ref_commit(r.location, ref);
    } catch (const Error& e) {
      throw Error(at_line(file, s.line, recipe.name + ": " + e.what() + git_mirror_hint(recipe)));
    }
  };

  if (s.tag.empty() && s.branch.empty()) {
    r.revision = s.commit;
    return r;
  }
  fs::path cache = layout.git_cache(recipe.name);
  if (!s.tag.empty()) {
    r.revision = resolve_tag(recipe, cache, r.location, options.offline, ask_remote);
    return r;
  }
  std::string ref = "refs/heads/" + s.branch;
  if (options.offline) {
    r.revision = local_ref_commit(cache, ref).value_or("");
    return r;
  }
  try {
    auto remote = remote_ref_commit(r.location, ref);
    if (!remote) throw UsageError(at_line(file, s.line, recipe.name + ": branch " + s.branch + " not found in " + r.location));
    r.revision = *remote;
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    auto cached = local_ref_commit(cache, ref);
    if (!cached) throw Error(at_line(file, s.line, recipe.name + ": " + e.what() + git_mirror_hint(recipe)));
    warnings.push_back(recipe.name + ": " + e.what() + "; building the cached head of branch " + s.branch + " (" +
                       cached->substr(0, 12) + ")");
    r.revision = *cached;
  }
  return r;
}

}  // namespace

ResolvedSource resolve_source(const Recipe& recipe, const BuildLayout& layout, const SourceOptions& options,
                              std::vector<std::string>& warnings) {
  const SourceSpec& s = recipe.source;
  const std::string file = recipe.file.string();
  ResolvedSource r;
  std::error_code ec;
  switch (s.type) {
    case SourceType::path: {
      r.location = s.path.string();
      if (!fs::is_directory(s.path, ec))
        throw UsageError(at_line(file, s.line, "key 'source.path': no such directory: " + s.path.string()));
      r.revision = tree_fingerprint(s.path);
      return r;
    }
    case SourceType::archive: {
      r.revision = s.sha256;
      r.location = s.url;
      if (options.mirror) {
        fs::path candidate = *options.mirror / s.archive_file_name();
        if (fs::is_regular_file(candidate, ec)) {
          r.location = candidate.string();
          r.from_mirror = true;
        }
      }
      return r;
    }
    case SourceType::git:
      break;
  }

  return resolve_git_source(recipe, layout, options, warnings);
}

namespace {

Recipe expand_recipe(Recipe recipe, const Variables& vars) {
  auto fill = [&](std::string& s) { s = expand(s, vars); };
  auto fill_all = [&](std::vector<std::string>& v) {
    for (auto& s : v) fill(s);
  };
  for (auto& [k, v] : recipe.env) fill(v);
  for (BuildSpec& b : recipe.builds) {
    fill(b.ldflags);
    fill_all(b.bootstrap);
    fill_all(b.configure_args);
    fill_all(b.make_args);
    for (auto* list : {&b.configure_commands, &b.build_commands, &b.install_commands})
      for (auto& argv : *list) fill_all(argv);
  }
  return recipe;
}

json configure_fields(const BuildSpec& b) {
  json fields;
  switch (b.system) {
    case BuildSystem::go:  // generate runs with CGO_ENABLED
      fields = b.generate.empty() ? json::object() : json{{"cgo", b.cgo}};
      break;
    case BuildSystem::npm: fields = {{"yarn", b.yarn}}; break;
    case BuildSystem::autotools:
      fields = {{"bootstrap", b.bootstrap}, {"configure_args", b.configure_args}, {"prefix", b.prefix}};
      break;
    case BuildSystem::command: fields = {{"configure", b.configure_commands}}; break;
  }
  fields["system"] = to_string(b.system);
  fields["generate"] = b.generate;
  return fields;
}

json build_fields(const BuildSpec& b) {
  switch (b.system) {
    case BuildSystem::go:
      return {{"package", b.package}, {"output", b.output}, {"cgo", b.cgo}, {"ldflags", b.ldflags}, {"tags", b.tags}};
    case BuildSystem::npm: return {{"script", b.script}};
    case BuildSystem::autotools: return {{"make_args", b.make_args}};
    case BuildSystem::command: return {{"build", b.build_commands}};
  }
  return {};
}

json install_fields(const BuildSpec& b) {
  switch (b.system) {
    case BuildSystem::go: return {{"output", b.output}};
    case BuildSystem::npm: return {{"output", b.output}, {"destination", b.destination}};
    case BuildSystem::autotools: return {{"make_args", b.make_args}, {"prefix", b.prefix}};
    case BuildSystem::command: return {{"install", b.install_commands}};
  }
  return {};
}

std::array<std::string, kSteps.size()> compute_keys(const ComponentPlan& plan) {
  const Recipe& r = plan.recipe;
  const SourceSpec& s = r.source;
  std::array<json, kSteps.size()> docs;
  docs[0] = {{"type", to_string(s.type)}, {"tag", s.tag}, {"branch", s.branch}, {"pin", s.commit},
             {"revision", plan.source.revision}, {"path", s.path.string()}};
  json patches = json::array();
  for (const auto& p : s.patches) patches.push_back({{"file", p.filename().string()}, {"sha256", sha256_file(p)}});
  // The patch step also records the source's time (${commit_time}, SOURCE_DATE_EPOCH).
  docs[1] = {{"strip_components", s.strip_components}, {"patches", patches}, {"records", "commit_time"}};
  json tools = json::object();
  for (const auto& t : plan.tools) tools[t.name] = version_string(t.version);
  json configure = json::array(), build = json::array(), install = json::array();
  for (const auto& b : r.builds) {
    configure.push_back(configure_fields(b));
    build.push_back(build_fields(b));
    install.push_back(install_fields(b));
  }
  docs[2] = {{"builder_revision", kBuilderRevision}, {"env", r.env}, {"tools", tools}, {"builds", configure}};
  docs[3] = {{"builds", build}};
  // Everything source.json records is an input of the step that writes it.
  docs[4] = {{"builds", install}, {"name", r.name},       {"version", r.version},
             {"license", r.license},              {"license_files", r.license_files}, {"url", s.url},
             {"override", plan.source.override}};
  std::array<std::string, kSteps.size()> keys;
  std::string previous;
  for (size_t i = 0; i < kSteps.size(); ++i) {
    docs[i]["step"] = to_string(kSteps[i]);
    docs[i]["previous"] = previous;
    keys[i] = sha256_hex(docs[i].dump());
    previous = keys[i];
  }
  return keys;
}

}  // namespace

ComponentPlan make_plan(const Recipe& recipe, const ResolvedSource& source, std::vector<Tool> tools, const BuildLayout& layout) {
  Variables vars = {{"name", recipe.name},
                    {"version", recipe.version},
                    {"commit", source.revision},
                    {"source_dir", layout.source_dir(recipe.name).string()},
                    {"install_dir", layout.install_dir(recipe.name).string()}};
  ComponentPlan plan;
  plan.recipe = expand_recipe(recipe, vars);
  plan.source = source;
  plan.tools = std::move(tools);
  plan.keys = compute_keys(plan);
  return plan;
}

std::map<std::string, std::string> step_environment(const ComponentPlan& plan, const BuildLayout& layout,
                                                    const std::string& inherited_path) {
  std::map<std::string, std::string> env;
  std::vector<std::string> path;
  for (const auto& t : plan.tools) {
    if (t.dir.empty()) continue;  // PATH already finds this one first
    std::string dir = t.dir.string();
    if (std::find(path.begin(), path.end(), dir) == path.end()) path.push_back(dir);
  }
  if (!inherited_path.empty()) path.push_back(inherited_path);
  env["PATH"] = join(path, ":");
  env["GOPATH"] = layout.go_path().string();
  env["GOMODCACHE"] = (layout.go_path() / "pkg" / "mod").string();
  env["GOCACHE"] = layout.go_build_cache().string();
  env["GOTOOLCHAIN"] = "local";  // never download another Go
  env["GOENV"] = "off";          // ignore the user's `go env -w` settings
  env["GOTELEMETRY"] = "off";
  env["GOFLAGS"] = "-modcacherw";  // a module cache `rm -rf` can remove
  env["npm_config_cache"] = layout.npm_cache().string();
  env["npm_config_update_notifier"] = "false";
  env["npm_config_fund"] = "false";
  env["npm_config_audit"] = "false";
  env["YARN_CACHE_FOLDER"] = (layout.npm_cache() / "yarn").string();
  env["YARN_GLOBAL_FOLDER"] = (layout.npm_cache() / "yarn-global").string();  // Yarn 2+'s shared cache
  for (const auto& [k, v] : plan.recipe.env) env[k] = (k == "GOFLAGS" ? v + " -modcacherw" : v);
  return env;
}

// plan.json ----------------------------------------------------------------------------

nlohmann::json plan_to_json(const ComponentPlan& plan) {
  const Recipe& r = plan.recipe;
  const SourceSpec& s = r.source;
  auto paths = [](const std::vector<fs::path>& v) {
    json a = json::array();
    for (const auto& p : v) a.push_back(p.string());
    return a;
  };
  json tools = json::array();
  for (const auto& t : plan.tools)
    tools.push_back({{"name", t.name}, {"path", t.path.string()}, {"version", version_string(t.version)}, {"dir", t.dir.string()}});
  json builds = json::array();
  for (const auto& b : r.builds)
    builds.push_back({{"system", to_string(b.system)}, {"line", b.line}, {"key", b.key}, {"generate", b.generate},
                      {"package", b.package}, {"output", b.output}, {"cgo", b.cgo}, {"ldflags", b.ldflags},
                      {"tags", b.tags}, {"script", b.script}, {"yarn", b.yarn}, {"destination", b.destination},
                      {"bootstrap", b.bootstrap}, {"configure_args", b.configure_args}, {"prefix", b.prefix},
                      {"make_args", b.make_args}, {"configure", b.configure_commands}, {"build", b.build_commands},
                      {"install", b.install_commands}});
  json keys = json::object();
  for (Step step : kSteps) keys[std::string(to_string(step))] = plan.key(step);
  return {
      {"recipe",
       {{"file", r.file.string()}, {"name", r.name}, {"version", r.version}, {"license", r.license},
        {"license_files", r.license_files}, {"env", r.env}}},
      {"source",
       {{"type", to_string(s.type)}, {"url", s.url}, {"tag", s.tag}, {"branch", s.branch}, {"commit", s.commit},
        {"sha256", s.sha256}, {"strip_components", s.strip_components}, {"path", s.path.string()},
        {"patches", paths(s.patches)}, {"line", s.line}}},
      {"resolved",
       {{"location", plan.source.location}, {"from_mirror", plan.source.from_mirror},
        {"override", plan.source.override}, {"revision", plan.source.revision}}},
      {"builds", builds},
      {"tools", tools},
      {"keys", keys}};
}

ComponentPlan plan_from_json(const nlohmann::json& j) {
  ComponentPlan plan;
  try {
    Recipe& r = plan.recipe;
    const json& jr = j.at("recipe");
    r.file = jr.at("file").get<std::string>();
    r.name = jr.at("name").get<std::string>();
    r.version = jr.at("version").get<std::string>();
    r.license = jr.at("license").get<std::string>();
    r.license_files = jr.at("license_files").get<std::vector<std::string>>();
    r.env = jr.at("env").get<std::map<std::string, std::string>>();

    SourceSpec& s = r.source;
    const json& js = j.at("source");
    std::string type = js.at("type").get<std::string>();
    s.type = type == "git" ? SourceType::git : type == "archive" ? SourceType::archive : SourceType::path;
    s.url = js.at("url").get<std::string>();
    s.tag = js.at("tag").get<std::string>();
    s.branch = js.at("branch").get<std::string>();
    s.commit = js.at("commit").get<std::string>();
    s.sha256 = js.at("sha256").get<std::string>();
    s.strip_components = js.at("strip_components").get<int>();
    s.path = js.at("path").get<std::string>();
    for (const auto& p : js.at("patches")) s.patches.emplace_back(p.get<std::string>());
    s.line = js.at("line").get<long>();

    const json& jv = j.at("resolved");
    plan.source.location = jv.at("location").get<std::string>();
    plan.source.from_mirror = jv.at("from_mirror").get<bool>();
    plan.source.override = jv.at("override").get<bool>();
    plan.source.revision = jv.at("revision").get<std::string>();

    for (const json& jb : j.at("builds")) {
      BuildSpec b;
      std::string system = jb.at("system").get<std::string>();
      b.system = system == "go"          ? BuildSystem::go
                 : system == "npm"       ? BuildSystem::npm
                 : system == "autotools" ? BuildSystem::autotools
                                         : BuildSystem::command;
      b.line = jb.at("line").get<long>();
      b.key = jb.at("key").get<std::string>();
      b.generate = jb.at("generate").get<std::vector<std::string>>();
      b.package = jb.at("package").get<std::string>();
      b.output = jb.at("output").get<std::string>();
      b.cgo = jb.at("cgo").get<bool>();
      b.ldflags = jb.at("ldflags").get<std::string>();
      b.tags = jb.at("tags").get<std::vector<std::string>>();
      b.script = jb.at("script").get<std::string>();
      b.yarn = jb.at("yarn").get<bool>();
      b.destination = jb.at("destination").get<std::string>();
      b.bootstrap = jb.at("bootstrap").get<std::vector<std::string>>();
      b.configure_args = jb.at("configure_args").get<std::vector<std::string>>();
      b.prefix = jb.at("prefix").get<std::string>();
      b.make_args = jb.at("make_args").get<std::vector<std::string>>();
      b.configure_commands = jb.at("configure").get<std::vector<std::vector<std::string>>>();
      b.build_commands = jb.at("build").get<std::vector<std::vector<std::string>>>();
      b.install_commands = jb.at("install").get<std::vector<std::vector<std::string>>>();
      r.builds.push_back(std::move(b));
    }
    if (r.builds.empty()) throw Error("malformed plan: no build");

    for (const auto& t : j.at("tools")) {
      auto version = parse_version(t.at("version").get<std::string>());
      plan.tools.push_back({t.at("name").get<std::string>(), t.at("path").get<std::string>(), version.value_or(Version{}),
                            t.at("dir").get<std::string>()});
    }
    for (Step step : kSteps) plan.keys[static_cast<size_t>(step)] = j.at("keys").at(std::string(to_string(step))).get<std::string>();
  } catch (const json::exception& e) {
    throw Error(std::string("malformed plan: ") + e.what());
  }
  return plan;
}

ComponentPlan read_plan(const fs::path& file) {
  try {
    return plan_from_json(json::parse(read_file(file)));
  } catch (const json::exception& e) {
    throw Error(file.string() + ": " + e.what() + " (rerun dkmpack to rewrite it)");
  } catch (const Error& e) {
    throw Error(file.string() + ": " + e.what() + " (rerun dkmpack to rewrite it)");
  }
}

}  // namespace dkm::pack

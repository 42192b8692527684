// Recipe and bundle parsing with toml++: every key checked, every error at FILE:LINE.
#include <dkm/pack/recipe.hpp>

#include "toml_reader.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/pack/build_layout.hpp>

#include "version.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace dkm::pack {

std::string_view to_string(SourceType type) {
  switch (type) {
    case SourceType::git: return "git";
    case SourceType::archive: return "archive";
    case SourceType::path: return "path";
  }
  return "?";
}

std::string_view to_string(BuildSystem system) {
  switch (system) {
    case BuildSystem::go: return "go";
    case BuildSystem::npm: return "npm";
    case BuildSystem::autotools: return "autotools";
    case BuildSystem::command: return "command";
  }
  return "?";
}

std::string SourceSpec::archive_file_name() const {
  std::string_view u = url;
  u = u.substr(0, std::min(u.find('?'), u.find('#')));
  size_t slash = u.rfind('/');
  return std::string(slash == std::string_view::npos ? u : u.substr(slash + 1));
}

std::string SourceSpec::ref_description() const {
  switch (type) {
    case SourceType::git:
      if (!tag.empty()) return "tag " + tag + (commit.empty() ? "" : " (pinned " + commit.substr(0, 12) + ")");
      if (!branch.empty()) return "branch " + branch;
      return "commit " + commit.substr(0, 12);
    case SourceType::archive: return "sha256 " + sha256.substr(0, 12);
    case SourceType::path: return "directory";
  }
  return {};
}

const Recipe* RecipeSet::find(std::string_view name) const {
  for (const auto& r : recipes)
    if (r.name == name) return &r;
  return nullptr;
}

const std::vector<std::string>& known_variables() {
  static const std::vector<std::string> vars = {"name", "version", "commit", "commit_time", "source_dir", "install_dir", "jobs"};
  return vars;
}

std::string expand(std::string_view text, const Variables& vars) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
    } else if (text[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += text.substr(i);
        break;
      }
      std::string var(text.substr(i + 2, close - i - 2));
      auto it = vars.find(var);
      if (it != vars.end()) out += it->second;
      else out += text.substr(i, close - i + 1);
      i = close;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string component_name_problem(std::string_view name) {
  const std::string quoted = "'" + std::string(name) + "'";
  const auto& own = BuildLayout::own_entries();
  if (std::find(own.begin(), own.end(), name) != own.end())
    return quoted + " is the name of one of dkmpack's own entries in the build directory (" +
           join(std::vector<std::string>(own.begin(), own.end()), ", ") + "); give the component another name";
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool well_formed = !name.empty() && name.size() <= 64 && lower_or_digit(name.front()) &&
                     std::all_of(name.begin(), name.end(), [&](char c) {
                       return lower_or_digit(c) || c == '.' || c == '_' || c == '+' || c == '-';
                     });
  return well_formed ? std::string() : quoted + " is not a valid name ([a-z0-9][a-z0-9._+-]*, at most 64 characters)";
}

bool valid_component_name(std::string_view name) { return component_name_problem(name).empty(); }

namespace {

SourceSpec parse_source(TableReader& top, const std::string& file, const fs::path& base) {
  SourceSpec source;
  const toml::table* table = top.opt_table("source");
  if (!table) throw UsageError(at_line(file, 0, "key 'source': missing (a [source] table with git, archive or path)"));
  source.line = line_of(*table);
  TableReader r(*table, "source", file, source.line);
  int kinds = r.has("git") + r.has("archive") + r.has("path");
  if (kinds != 1)
    throw UsageError(at_line(file, source.line, "key 'source': needs exactly one of git, archive or path (found " +
                                                    std::to_string(kinds) + ")"));
  if (r.has("git")) {
    source.type = SourceType::git;
    source.url = r.string("git");
    source.tag = r.string_or("tag", "");
    source.branch = r.string_or("branch", "");
    source.commit = lower(r.string_or("commit", ""));
    if (!source.tag.empty() && !source.branch.empty())
      r.fail("branch", r.line("branch"), "give a tag or a branch, not both");
    if (source.tag.empty() && source.branch.empty() && source.commit.empty())
      throw UsageError(at_line(file, source.line, "key 'source': a git source needs tag, branch or commit"));
    if (!source.commit.empty() && !is_hex(source.commit, 40))
      r.fail("commit", r.line("commit"), "expected a full commit id (40 hexadecimal digits)");
    if (!source.branch.empty() && !source.commit.empty())
      r.fail("commit", r.line("commit"), "a branch cannot be pinned (pin a tag, or give the commit alone)");
    r.reject_present({"sha256", "strip_components"}, "belongs to an archive source, not a git one");
  } else if (r.has("archive")) {
    source.type = SourceType::archive;
    source.url = r.string("archive");
    if (!r.has("sha256"))
      throw UsageError(at_line(file, r.line("archive"), "key 'source.sha256': missing (mandatory with archive)"));
    source.sha256 = lower(r.string("sha256"));
    if (!is_hex(source.sha256, 64)) r.fail("sha256", r.line("sha256"), "expected 64 hexadecimal digits");
    long strip = r.integer_or("strip_components", 1);
    if (strip < 0 || strip > 16) r.fail("strip_components", r.line("strip_components"), "expected 0 to 16");
    source.strip_components = static_cast<int>(strip);
    if (source.archive_file_name().empty()) r.fail("archive", r.line("archive"), "the URL names no file");
    r.reject_present({"tag", "branch", "commit"}, "belongs to a git source, not an archive");
  } else {
    source.type = SourceType::path;
    std::string p = r.string("path");
    source.path = (base / p).lexically_normal();
    r.reject_present({"tag", "branch", "commit", "sha256", "strip_components"},
                     "belongs to a git or archive source, not a path");
  }
  for (const auto& p : r.strings("patches")) {
    fs::path patch = (base / p).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(patch, ec)) r.fail("patches", r.line("patches"), "no such patch file: " + patch.string());
    source.patches.push_back(patch);
  }
  r.reject_unknown({"git", "tag", "branch", "commit", "archive", "sha256", "strip_components", "path", "patches"});
  return source;
}

/// Checks that a path is relative and stays inside the tree it is relative to.
bool inside_tree(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : fs::path(path))
    if (part == "..") return false;
  return true;
}

/// Parses one [build] or [[build]] table.
BuildSpec parse_build_table(const toml::table& table, const std::string& key, const std::string& file) {
  BuildSpec b;
  b.line = line_of(table);
  b.key = key;
  TableReader r(table, key, file, b.line);
  std::string system = r.string("system");
  std::vector<std::string> accepted = {"system", "generate"};
  auto placeholders = [&](std::string_view k, std::string_view text) { check_placeholders(r, k, r.line(k), text); };
  auto placeholders_all = [&](std::string_view k, const std::vector<std::string>& texts) {
    for (const auto& t : texts) placeholders(k, t);
  };
  b.generate = r.strings("generate");
  for (const auto& target : b.generate)
    if (target.empty() || target.front() == '-' || target.find_first_of(" \t=") != std::string::npos)
      r.fail("generate", r.line("generate"), "'" + target + "' is not a make target (a name, without spaces, '=' or a leading '-')");
  if (system == "go") {
    b.system = BuildSystem::go;
    b.package = r.string_or("package", ".");
    b.output = r.string_or("output", "");
    b.cgo = r.boolean_or("cgo", false);
    b.ldflags = r.string_or("ldflags", "");
    b.tags = r.strings("tags");
    placeholders("ldflags", b.ldflags);
    if (b.output.find('/') != std::string::npos) r.fail("output", r.line("output"), "a file name, without '/'");
    accepted.insert(accepted.end(), {"package", "output", "cgo", "ldflags", "tags"});
  } else if (system == "npm") {
    b.system = BuildSystem::npm;
    b.script = r.string_or("script", "build");
    b.yarn = r.boolean_or("yarn", false);
    b.output = r.string("output");
    b.destination = r.string_or("destination", "");
    if (!inside_tree(b.output)) r.fail("output", r.line("output"), "'" + b.output + "' must be a directory inside the source tree");
    if (!b.destination.empty() && !inside_tree(b.destination))
      r.fail("destination", r.line("destination"), "'" + b.destination + "' must be a directory inside the install tree");
    accepted.insert(accepted.end(), {"script", "yarn", "output", "destination"});
  } else if (system == "autotools") {
    b.system = BuildSystem::autotools;
    b.bootstrap = r.strings("bootstrap");
    b.configure_args = r.strings("configure_args");
    b.prefix = r.string_or("prefix", "/usr");
    b.make_args = r.strings("make_args");
    if (b.prefix.empty() || b.prefix.front() != '/') r.fail("prefix", r.line("prefix"), "expected an absolute path");
    placeholders_all("bootstrap", b.bootstrap);
    placeholders_all("configure_args", b.configure_args);
    placeholders_all("make_args", b.make_args);
    accepted.insert(accepted.end(), {"bootstrap", "configure_args", "prefix", "make_args"});
  } else if (system == "command") {
    b.system = BuildSystem::command;
    b.configure_commands = r.argv_list("configure");
    b.build_commands = r.argv_list("build");
    b.install_commands = r.argv_list("install");
    for (const auto* k : {"configure", "build", "install"}) {
      const auto& list = std::string_view(k) == "configure" ? b.configure_commands
                         : std::string_view(k) == "build"   ? b.build_commands
                                                            : b.install_commands;
      for (const auto& argv : list) placeholders_all(k, argv);
    }
    if (b.configure_commands.empty() && b.build_commands.empty() && b.install_commands.empty())
      throw UsageError(at_line(file, b.line, "key '" + key + "': system 'command' needs configure, build or install commands"));
    accepted.insert(accepted.end(), {"configure", "build", "install"});
  } else {
    r.fail("system", r.line("system"), "unknown build system '" + system + "' (expected go, npm, autotools or command)");
  }
  // A key of another system gets a message that says so, not just "unknown".
  static const std::vector<std::pair<std::string, std::string>> owners = {
      {"package", "go"},           {"cgo", "go"},        {"ldflags", "go"},   {"tags", "go"},
      {"script", "npm"},           {"yarn", "npm"},      {"destination", "npm"}, {"bootstrap", "autotools"},
      {"configure_args", "autotools"}, {"prefix", "autotools"}, {"make_args", "autotools"},
      {"configure", "command"},    {"build", "command"}, {"install", "command"}};
  for (const auto& [k, owner] : owners) {
    if (owner != system && r.has(k) && std::find(accepted.begin(), accepted.end(), k) == accepted.end())
      r.fail(k, r.line(k), "belongs to system '" + owner + "', not '" + system + "'");
  }
  r.reject_unknown(accepted);
  return b;
}

/// [build] (one build) or [[build]] (several, run in file order within each step).
std::vector<BuildSpec> parse_builds(TableReader& top, const std::string& file, const std::string& recipe_name) {
  const std::string missing = "key 'build': missing (a [build] table with system = go|npm|autotools|command, "
                              "or several [[build]] tables)";
  const toml::node* node = top.node("build");
  if (!node) throw UsageError(at_line(file, 0, missing));
  std::vector<BuildSpec> builds;
  if (node->is_table()) {
    builds.push_back(parse_build_table(*node->as_table(), "build", file));
  } else if (node->is_array_of_tables() && !node->as_array()->empty()) {
    const toml::array& array = *node->as_array();
    for (size_t i = 0; i < array.size(); ++i)
      builds.push_back(parse_build_table(*array[i].as_table(), "build[" + std::to_string(i) + "]", file));
  } else {
    top.fail("build", line_of(*node), "expected a [build] table or [[build]] tables, found " + type_name(*node));
  }
  // Two go builds writing the same binary would overwrite each other.
  std::set<std::string> outputs;
  for (auto& b : builds) {
    if (b.system == BuildSystem::go && b.output.empty()) b.output = recipe_name;
    if (b.system == BuildSystem::go && !outputs.insert(b.output).second)
      throw UsageError(at_line(file, b.line, "key '" + b.key + ".output': another go build of this recipe already "
                                             "produces bin/" + b.output + " (give each its own output)"));
  }
  return builds;
}

/// `file` made absolute; a missing one is a usage error, "PATH: no such WHAT file".
fs::path existing_input(const fs::path& file, const std::string& what) {
  fs::path absolute = fs::absolute(file).lexically_normal();
  std::error_code ec;
  if (!fs::is_regular_file(absolute, ec)) throw UsageError(absolute.string() + ": no such " + what + " file");
  return absolute;
}

}  // namespace

Recipe parse_recipe(std::string_view text, const fs::path& file_path) {
  const std::string file = file_path.string();
  toml::table doc = parse_toml(text, file_path);
  TableReader top(doc, "", file, 1);
  Recipe recipe;
  recipe.file = file_path;
  fs::path base = file_path.parent_path();

  recipe.name = top.string("name");
  if (std::string why = component_name_problem(recipe.name); !why.empty()) top.fail("name", top.line("name"), why);
  if (recipe.name != file_path.stem().string())
    top.fail("name", top.line("name"), "'" + recipe.name + "' must equal the file's name ('" + file_path.stem().string() + "')");
  recipe.version = top.string("version");
  recipe.description = top.string_or("description", "");
  recipe.homepage = top.string_or("homepage", "");
  recipe.license = top.string("license");
  recipe.license_files = top.strings("license_files");
  for (const auto& f : recipe.license_files)
    if (f.empty() || f.front() == '/' || f.find("..") != std::string::npos)
      top.fail("license_files", top.line("license_files"), "'" + f + "' must be a path inside the source tree");

  recipe.source = parse_source(top, file, base);

  if (const toml::table* req = top.opt_table("requires")) {
    for (const auto& [k, v] : *req) {
      std::string tool(k.str());
      long line = line_of(v);
      std::string key = "requires." + tool;
      if (!v.is_string())
        throw UsageError(at_line(file, line, "key '" + key + "': expected a string such as \">= 1.24\", found " + type_name(v)));
      auto parsed = parse_requirement(v.as_string()->get());
      if (!parsed)
        throw UsageError(at_line(file, line, "key '" + key + "': expected OPERATOR VERSION such as \">= 1.24\" "
                                             "(operators >=, >, =, <=, <), found \"" + v.as_string()->get() + "\""));
      recipe.requirements.push_back({tool, parsed->first, parsed->second, line});
    }
  }

  if (const toml::table* env = top.opt_table("env")) {
    TableReader r(*env, "env", file, line_of(*env));
    for (const auto& [k, v] : *env) {
      std::string name(k.str());
      auto value = r.opt_string(name);
      check_placeholders(r, name, r.line(name), *value);
      recipe.env[name] = *value;
      recipe.env_lines[name] = r.line(name);
    }
  }

  recipe.builds = parse_builds(top, file, recipe.name);

  if (const toml::node* stage = top.node("stage")) {
    if (!stage->is_array_of_tables())
      top.fail("stage", line_of(*stage), "expected [[stage]] tables, found " + type_name(*stage));
    for (const auto& item : *stage->as_array()) {
      const toml::table& t = *item.as_table();
      TableReader r(t, "stage", file, line_of(t));
      StageRule rule;
      rule.line = line_of(t);
      rule.from = r.string("from");
      rule.to = r.string("to");
      std::string tree = r.string_or("tree", "install");
      if (tree == "source") rule.tree = StageTreeKind::source;
      else if (tree != "install") r.fail("tree", r.line("tree"), "expected \"install\" or \"source\", found \"" + tree + "\"");
      if (rule.from.front() == '/' || rule.from.find("..") != std::string::npos)
        r.fail("from", r.line("from"), "'" + rule.from + "' must be relative to the " + tree + " tree");
      if (rule.to.front() == '/' || rule.to.find("..") != std::string::npos)
        r.fail("to", r.line("to"), "'" + rule.to + "' must be relative to the bundle");
      r.reject_unknown({"from", "to", "tree"});
      recipe.stage.push_back(std::move(rule));
    }
  }

  top.reject_unknown({"name", "version", "description", "homepage", "license", "license_files", "source", "requires",
                      "env", "build", "stage"});
  return recipe;
}

Recipe load_recipe(const fs::path& file) {
  fs::path absolute = existing_input(file, "recipe");
  return parse_recipe(read_file(absolute), absolute);
}

BundleDescription parse_bundle(std::string_view text, const fs::path& file_path) {
  const std::string file = file_path.string();
  toml::table doc = parse_toml(text, file_path);
  TableReader top(doc, "", file, 1);
  BundleDescription bundle;
  bundle.file = file_path;
  bundle.name = top.string("name");
  bundle.version = top.string("version");
  if (!top.has("components")) throw UsageError(at_line(file, 0, "key 'components': missing (the recipes to build, in order)"));
  bundle.components_line = top.line("components");
  bundle.components = top.strings("components");
  std::set<std::string> seen;
  for (const auto& c : bundle.components) {
    if (std::string why = component_name_problem(c); !why.empty()) top.fail("components", bundle.components_line, why);
    if (!seen.insert(c).second) top.fail("components", bundle.components_line, "'" + c + "' is listed twice");
  }
  if (const toml::table* health = top.opt_table("health")) {
    TableReader r(*health, "health", file, line_of(*health));
    bundle.health_allow = r.strings("allow");
    r.reject_unknown({"allow"});
  }
  top.reject_unknown({"name", "version", "components", "health"});
  return bundle;
}

BundleDescription load_bundle(const fs::path& file) {
  fs::path absolute = existing_input(file, "bundle");
  return parse_bundle(read_file(absolute), absolute);
}

RecipeSet load_recipe_set(const fs::path& dir) {
  RecipeSet set;
  set.dir = fs::absolute(dir).lexically_normal();
  if (!set.dir.has_filename()) set.dir = set.dir.parent_path();
  std::error_code ec;
  if (!fs::is_directory(set.dir, ec)) throw UsageError(set.dir.string() + ": no such recipes directory (see --recipes)");
  fs::path bundle_file = set.dir / "bundle.toml";
  if (fs::exists(bundle_file, ec)) {
    set.bundle = load_bundle(bundle_file);
    for (const auto& name : set.bundle->components) {
      fs::path recipe_file = set.dir / (name + ".toml");
      if (!fs::is_regular_file(recipe_file, ec))
        throw UsageError(at_line(bundle_file.string(), set.bundle->components_line,
                                 "key 'components': no recipe " + recipe_file.string() + " for '" + name + "'"));
      set.recipes.push_back(load_recipe(recipe_file));
    }
  } else {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(set.dir))
      if (entry.path().extension() == ".toml" && entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) set.recipes.push_back(load_recipe(f));
  }
  if (set.recipes.empty())
    throw UsageError(set.dir.string() + ": no recipes (expected NAME.toml files, see recipes/README.md)");
  return set;
}

}  // namespace dkm::pack

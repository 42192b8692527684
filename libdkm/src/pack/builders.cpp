// The go, npm, autotools and command builders.
#include "builders.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

namespace dkm::pack {

std::string Action::display() const {
  if (argv.empty()) return "# " + description;
  std::string out = "$ cd " + shell_quote(cwd.string()) + " &&";
  for (const auto& [k, v] : env) out += " " + k + "=" + shell_quote(v);
  for (const auto& a : argv) out += " " + shell_quote(a);
  return out;
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks | fs::copy_options::overwrite_existing);
}

namespace {

std::string program(const ComponentPlan& plan, const std::string& tool) {
  const Tool* t = plan.tool(tool);
  return t ? t->path.string() : tool;
}

Action run(std::vector<std::string> argv, fs::path cwd, std::map<std::string, std::string> env = {}) {
  Action a;
  a.argv = std::move(argv);
  a.cwd = std::move(cwd);
  a.env = std::move(env);
  return a;
}

Action internal(std::string description, std::function<void()> body) {
  Action a;
  a.description = std::move(description);
  a.run = std::move(body);
  return a;
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

std::map<std::string, std::string> go_env(const BuildSpec& b) { return {{"CGO_ENABLED", b.cgo ? "1" : "0"}}; }

/// `generate`: upstream's make targets, in the source tree, before the system's configure.
std::vector<Action> generate_actions(const ComponentPlan& plan, const BuildSpec& b, const BuildLayout& layout) {
  if (b.generate.empty()) return {};
  std::vector<std::string> argv = {program(plan, "make")};
  argv.insert(argv.end(), b.generate.begin(), b.generate.end());
  return {run(argv, layout.source_dir(plan.recipe.name), b.system == BuildSystem::go ? go_env(b) : std::map<std::string, std::string>{})};
}

std::vector<Action> go_actions(const ComponentPlan& plan, const BuildSpec& b, Step step, const BuildLayout& layout) {
  const std::string& name = plan.recipe.name;
  fs::path src = layout.source_dir(name);
  fs::path binary = layout.out_dir(name) / b.output;
  if (step == Step::build) {
    std::vector<std::string> argv = {program(plan, "go"), "build", "-buildvcs=false"};
    if (present(src / "vendor")) argv.push_back("-mod=vendor");
    if (!b.tags.empty()) argv.push_back("-tags=" + join(b.tags, ","));
    if (!b.ldflags.empty()) argv.push_back("-ldflags=" + b.ldflags);
    argv.insert(argv.end(), {"-o", binary.string(), b.package});
    fs::path out_dir = layout.out_dir(name);
    return {internal("mkdir " + out_dir.string(), [out_dir] { fs::create_directories(out_dir); }),
            run(argv, src, go_env(b))};
  }
  if (step == Step::install) {
    fs::path target = layout.install_dir(name) / "bin" / b.output;
    return {internal("install " + binary.string() + " " + target.string(), [binary, target] {
      if (!present(binary)) throw Error(binary.string() + ": the build step produced no binary");
      fs::create_directories(target.parent_path());
      fs::copy_file(binary, target, fs::copy_options::overwrite_existing);
      fs::permissions(target, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    })};
  }
  return {};
}

std::vector<Action> npm_actions(const ComponentPlan& plan, const BuildSpec& b, Step step, const BuildLayout& layout) {
  const std::string& name = plan.recipe.name;
  fs::path src = layout.source_dir(name);
  if (step == Step::configure) {
    if (b.yarn) {
      // A tree with .yarnrc.yml is a Yarn 2+ project (its yarnPath, which yarn 1 honours
      // too, runs the project's own Yarn): --immutable. Else yarn 1 wants --frozen-lockfile.
      const Tool* yarn = plan.tool("yarn");
      bool classic = !present(src / ".yarnrc.yml") && yarn && !yarn->version.empty() && yarn->version[0] < 2;
      return {run({program(plan, "yarn"), "install", classic ? "--frozen-lockfile" : "--immutable"}, src)};
    }
    bool locked = present(src / "package-lock.json") || present(src / "npm-shrinkwrap.json");
    return {run({program(plan, "npm"), locked ? "ci" : "install"}, src)};
  }
  if (step == Step::build) return {run({program(plan, b.yarn ? "yarn" : "npm"), "run", b.script}, src)};
  if (step == Step::install) {
    fs::path output = src / b.output;
    fs::path target = layout.install_dir(name) / b.destination;
    return {internal("copy " + output.string() + "/ to " + target.string() + "/", [output, target, script = b.script] {
      std::error_code ec;
      if (!fs::is_directory(output, ec))
        throw Error(output.string() + ": the script '" + script + "' produced no such directory (see [build] output)");
      copy_tree(output, target);
    })};
  }
  return {};
}

std::vector<Action> autotools_actions(const ComponentPlan& plan, const BuildSpec& b, Step step, const BuildLayout& layout,
                                      int jobs) {
  const std::string& name = plan.recipe.name;
  fs::path src = layout.source_dir(name);
  std::vector<Action> out;
  if (step == Step::configure) {
    if (!b.bootstrap.empty()) out.push_back(run(b.bootstrap, src));
    else if (!present(src / "configure")) out.push_back(run({"autoreconf", "-fi"}, src));
    std::vector<std::string> argv = {"./configure", "--prefix=" + b.prefix};
    argv.insert(argv.end(), b.configure_args.begin(), b.configure_args.end());
    out.push_back(run(argv, src));
  } else if (step == Step::build) {
    std::vector<std::string> argv = {program(plan, "make"), "-j" + std::to_string(jobs)};
    argv.insert(argv.end(), b.make_args.begin(), b.make_args.end());
    out.push_back(run(argv, src));
  } else if (step == Step::install) {
    std::vector<std::string> argv = {program(plan, "make"), "install", "DESTDIR=" + layout.install_dir(name).string()};
    argv.insert(argv.end(), b.make_args.begin(), b.make_args.end());
    out.push_back(run(argv, src));
  }
  return out;
}

std::vector<Action> command_actions(const ComponentPlan& plan, const BuildSpec& b, Step step, const BuildLayout& layout) {
  const auto& list = step == Step::configure ? b.configure_commands
                     : step == Step::build   ? b.build_commands
                                             : b.install_commands;
  std::vector<Action> out;
  for (const auto& argv : list) out.push_back(run(argv, layout.source_dir(plan.recipe.name)));
  return out;
}

}  // namespace

std::vector<Action> builder_actions(const ComponentPlan& plan, Step step, const BuildLayout& layout, int jobs,
                                    const Variables& step_variables) {
  std::vector<Action> actions;
  if (step == Step::fetch || step == Step::patch) return actions;
  for (const BuildSpec& b : plan.recipe.builds) {
    std::vector<Action> more;
    if (step == Step::configure) more = generate_actions(plan, b, layout);
    std::vector<Action> own;
    switch (b.system) {
      case BuildSystem::go: own = go_actions(plan, b, step, layout); break;
      case BuildSystem::npm: own = npm_actions(plan, b, step, layout); break;
      case BuildSystem::autotools: own = autotools_actions(plan, b, step, layout, jobs); break;
      case BuildSystem::command: own = command_actions(plan, b, step, layout); break;
    }
    more.insert(more.end(), own.begin(), own.end());
    actions.insert(actions.end(), more.begin(), more.end());
  }
  // ${jobs} and ${commit_time} are filled only now: -j is no input of any step, and the
  // source's time follows from its revision.
  Variables vars = step_variables;
  vars["jobs"] = std::to_string(jobs);
  for (auto& a : actions) {
    for (auto& word : a.argv) word = expand(word, vars);
    for (auto& [k, v] : a.env) v = expand(v, vars);
  }
  return actions;
}

}  // namespace dkm::pack

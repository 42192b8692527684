// The runs behind dkmpack's flags.
#include <dkm/pack/engine.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include "build_lock.hpp"
#include "git_source.hpp"
#include "ninja_file.hpp"
#include "plan.hpp"
#include "toolchain.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <set>
#include <thread>

namespace dkm::pack {

int effective_jobs(int jobs) {
  if (jobs > 0) return jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

std::vector<Recipe> selected_recipes(const RecipeSet& set, const PackOptions& options) {
  auto known = [&](const std::string& name) { return set.find(name) != nullptr; };
  auto names = [&] {
    std::vector<std::string> all;
    for (const auto& r : set.recipes) all.push_back(r.name);
    return join(all, ", ");
  };
  for (const auto& name : options.only)
    if (!known(name)) throw UsageError("--only " + name + ": no such component in " + set.dir.string() + " (components: " + names() + ")");
  for (const auto& [name, path] : options.sources)
    if (!known(name)) throw UsageError("--source " + name + "=" + path.string() + ": no such component (components: " + names() + ")");
  std::vector<Recipe> out;
  for (const auto& r : set.recipes)
    if (options.only.empty() || std::find(options.only.begin(), options.only.end(), r.name) != options.only.end())
      out.push_back(r);
  return out;
}

namespace {

/// The toolchain finder of a run: PATH (and /usr/lib/go-X.Y/bin) with versions cached.
struct Toolchains {
  explicit Toolchains(const BuildLayout& layout)
      : cache(layout.toolchain_cache()),
        finder(
            [](const std::string& tool) {
              const char* path = std::getenv("PATH");
              return tool_candidates(tool, path ? path : "/usr/bin:/bin");
            },
            [this](const std::string& tool, const fs::path& program) { return cache.version_of(tool, program); }) {}
  VersionCache cache;
  ToolFinder finder;
};

std::vector<Tool> find_tools(const Recipe& recipe, const Toolchains& toolchains) {
  std::vector<Tool> tools;
  for (const auto& name : needed_tools(recipe)) tools.push_back(toolchains.finder.find(name, recipe));
  return tools;
}

/// A recipe with --source applied.
Recipe effective_recipe(const Recipe& recipe, const PackOptions& options) {
  auto it = options.sources.find(recipe.name);
  return it == options.sources.end() ? recipe : with_source_override(recipe, it->second);
}

/// Plans every selected component; collects every toolchain and source problem before
/// failing, so one run reports them all.
std::vector<ComponentPlan> plan_components(const std::vector<Recipe>& recipes, const PackOptions& options,
                                           const BuildLayout& layout, bool offline, std::vector<std::string>& warnings,
                                           std::vector<std::string>* problems_out = nullptr) {
  Toolchains toolchains(layout);
  SourceOptions source_options{options.mirror, offline};
  std::vector<ComponentPlan> plans;
  std::vector<std::string> problems;
  int exit_code = kExitFailure;
  for (const auto& original : recipes) {
    Recipe recipe = effective_recipe(original, options);
    try {
      std::vector<Tool> tools = find_tools(recipe, toolchains);
      ResolvedSource source = resolve_source(recipe, layout, source_options, warnings);
      source.override = options.sources.count(recipe.name) > 0;
      plans.push_back(make_plan(recipe, source, std::move(tools), layout));
    } catch (const UsageError& e) {
      problems.push_back(e.what());
      exit_code = kExitUsage;
    } catch (const Error& e) {
      problems.push_back(e.what());
    }
  }
  try {
    if (!offline) toolchains.cache.save();  // --list writes nothing
  } catch (const Error&) {
    // only a cache
  }
  if (problems_out) {
    *problems_out = problems;
    return plans;
  }
  if (!problems.empty()) throw Error(join(problems, "\n"), exit_code);
  return plans;
}

int64_t mtime_ns(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

/// Points BUILD/.dkmpack at this executable (replaced atomically when it changes).
void link_self(const BuildLayout& layout, const fs::path& self) {
  std::error_code ec;
  fs::path link = layout.self_link();
  if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == self) return;
  replace_symlink(link, self);
}

/// Steps an earlier run left running were killed: their component restarts from a fresh tree.
void recover_interrupted(const std::vector<ComponentPlan>& plans, const BuildLayout& layout, std::ostream& out) {
  for (const auto& plan : plans) {
    const std::string& name = plan.recipe.name;
    for (Step step : kSteps) {
      fs::path marker = layout.running_marker(name, step);
      std::error_code ec;
      if (!fs::exists(marker, ec)) continue;
      out << "dkmpack: " << name << ": the " << to_string(step) << " step of an earlier run did not finish; "
          << (step == Step::fetch ? "fetching again" : name + " restarts from a fresh source tree") << "\n";
      fs::remove(layout.stamp(name, step), ec);
      if (step != Step::fetch) fs::remove(layout.stamp(name, Step::patch), ec);
      fs::remove(marker, ec);
    }
  }
}

volatile sig_atomic_t g_interrupted = 0;
void note_interrupt(int) { g_interrupted = 1; }

/// Runs ninja in the build directory with the terminal as its output; returns its result.
RunResult run_ninja(const BuildLayout& layout, int jobs, bool verbose) {
  fs::path ninja = find_in_path("ninja");
  if (ninja.empty()) ninja = find_in_path("ninja-build");
  if (ninja.empty()) throw Error("ninja not found on PATH (Debian: apt-get install ninja-build, or cmake/install-deps.sh)");
  std::vector<std::string> argv = {ninja.string(), "-j", std::to_string(jobs), "-k", "0"};
  if (verbose) argv.push_back("-v");
  RunOptions options;
  options.cwd = layout.root();
  options.inherit_output = true;
  options.env["NINJA_STATUS"] = "[%f/%t] ";
  options.env["DKMPACK_JOBS"] = std::to_string(jobs);
  options.env["DKMPACK_VERBOSE"] = verbose ? "1" : "0";
  // ^C reaches ninja too (same process group); ninja stops its steps, we wait and report.
  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = note_interrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  RunResult result;
  try {
    result = run_process(argv, options);
  } catch (...) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    throw;
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return result;
}

std::string source_summary(const ComponentPlan& plan) {
  const SourceSpec& s = plan.recipe.source;
  switch (s.type) {
    case SourceType::git:
      return "git " + (s.tag.empty() ? s.branch.empty() ? std::string("commit") : "branch " + s.branch : "tag " + s.tag) +
             (plan.source.revision.empty() ? "" : " @ " + plan.source.revision.substr(0, 12));
    case SourceType::archive: return "archive " + s.archive_file_name();
    case SourceType::path: return "path " + s.path.string() + (plan.source.override ? " (--source)" : "");
  }
  return {};
}

}  // namespace

int build_components(const PackOptions& options, std::ostream& out) {
  RecipeSet set = load_recipe_set(options.recipes_dir);
  std::vector<Recipe> recipes = selected_recipes(set, options);
  BuildLayout layout(options.build_dir);
  BuildLock lock(layout.lock_file());
  const int jobs = effective_jobs(options.jobs);

  std::vector<std::string> warnings;
  std::vector<ComponentPlan> plans = plan_components(recipes, options, layout, false, warnings);
  for (const auto& w : warnings) out << "dkmpack: warning: " << w << "\n";
  recover_interrupted(plans, layout, out);

  std::vector<std::string> names;
  std::map<std::string, int64_t> stamp_times;
  for (const auto& plan : plans) {
    const std::string& name = plan.recipe.name;
    names.push_back(name);
    fs::create_directories(layout.component(name) / "keys");
    write_file_if_changed(layout.plan_file(name), plan_to_json(plan).dump(2) + "\n");
    for (Step step : kSteps) {
      write_file_if_changed(layout.key_file(name, step), plan.key(step) + "\n");
      stamp_times[name + " " + std::string(to_string(step))] = mtime_ns(layout.stamp(name, step));
    }
  }
  write_file_if_changed(layout.ninja_file(), ninja_file_text(names));
  link_self(layout, options.self);
  if (options.verbose) out << "dkmpack: " << plans.size() << " components planned in " << layout.root().string() << "\n";
  out.flush();

  g_interrupted = 0;
  RunResult ninja = run_ninja(layout, jobs, options.verbose);

  // What ran, from the stamps; what failed, from the failure markers the steps left.
  std::vector<std::string> ran, failed;
  for (const auto& name : names) {
    for (Step step : kSteps) {
      std::string id = name + " " + std::string(to_string(step));
      int64_t now = mtime_ns(layout.stamp(name, step));
      if (now != -1 && now != stamp_times[id]) ran.push_back(id);
      std::error_code ec;
      if (fs::exists(layout.failed_marker(name, step), ec))
        failed.push_back(name + ": " + std::string(to_string(step)) + " (log: " + layout.step_log(name, step).string() + ")");
    }
  }
  if (g_interrupted || ninja.signal != 0) {
    out << "dkmpack: interrupted; finished steps are kept, a rerun continues from there\n";
    return kExitFailure;
  }
  if (!failed.empty()) {
    out << "dkmpack: " << failed.size() << (failed.size() == 1 ? " step" : " steps") << " failed:\n";
    for (const auto& f : failed) out << "  " << f << "\n";
    out << "dkmpack: the other steps' results are kept; after a fix, a rerun builds only what failed and what depends on it\n";
    return kExitFailure;
  }
  if (!ninja.ok()) {
    out << "dkmpack: ninja failed (" << ninja.describe() << ")\n";
    return kExitFailure;
  }
  if (ran.empty()) out << "dkmpack: nothing to do, " << names.size() << " components up to date in " << layout.root().string() << "\n";
  else out << "dkmpack: " << ran.size() << " steps ran; " << names.size() << " components built in " << layout.root().string() << "\n";
  return kExitOk;
}

std::vector<Recipe> require_built(const PackOptions& options) {
  RecipeSet set = load_recipe_set(options.recipes_dir);
  std::vector<Recipe> recipes = selected_recipes(set, options);
  BuildLayout layout(options.build_dir);
  std::vector<std::string> missing;
  for (const auto& r : recipes)
    if (!layout.installed(r.name)) missing.push_back(r.name);
  if (missing.size() == recipes.size())
    throw UsageError("--skip-build: nothing is built in " + layout.root().string() +
                     " yet; run dkmpack without --skip-build first");
  if (!missing.empty())
    throw UsageError("--skip-build: not built in " + layout.root().string() + ": " + join(missing, ", ") +
                     "; run dkmpack without --skip-build first");
  return recipes;
}

void list_components(const PackOptions& options, std::ostream& out) {
  RecipeSet set = load_recipe_set(options.recipes_dir);
  std::vector<Recipe> recipes = selected_recipes(set, options);
  BuildLayout layout(options.build_dir);
  std::vector<std::string> warnings, problems, notes;
  std::vector<std::vector<std::string>> rows = {{"NAME", "VERSION", "SOURCE", "CACHE", "STATE"}};
  std::vector<std::vector<std::string>> toolchains;  // NAME, the chosen tools
  for (const auto& original : recipes) {
    Recipe recipe = effective_recipe(original, options);
    std::vector<ComponentPlan> plans = plan_components({original}, options, layout, true, warnings, &problems);
    const std::string& name = recipe.name;
    std::error_code ec;
    std::string cache = "-";
    if (recipe.source.type == SourceType::git) cache = fs::exists(layout.git_cache(name), ec) ? "cached" : "not cached";
    if (recipe.source.type == SourceType::archive)
      cache = fs::exists(layout.archive_cache(name, recipe.source.archive_file_name()), ec) ? "cached" : "not cached";
    std::string state;
    for (Step step : kSteps) {
      if (fs::exists(layout.running_marker(name, step), ec) && state.empty()) state = "interrupted in " + std::string(to_string(step));
      if (fs::exists(layout.failed_marker(name, step), ec) && state.empty()) state = "failed in " + std::string(to_string(step));
    }
    if (state.empty() && plans.empty()) {
      state = "cannot build: see below";
      notes.insert(notes.end(), problems.begin(), problems.end());
    }
    if (state.empty() && !layout.installed(name)) state = fs::exists(layout.stamp(name, Step::fetch), ec) ? "fetched, not built" : "not built";
    if (state.empty()) {
      const ComponentPlan& plan = plans.front();
      for (Step step : kSteps) {
        std::string stamped;
        try {
          stamped = std::string(trim(read_file(layout.stamp(name, step))));
        } catch (const Error&) {
        }
        if (plan.source.revision.empty() || stamped != plan.key(step)) {
          state = "out of date from " + std::string(to_string(step));
          break;
        }
      }
      if (state.empty()) state = "built";
    }
    std::string source = plans.empty() ? std::string(to_string(recipe.source.type)) : source_summary(plans.front());
    if (!plans.empty()) {
      std::vector<std::string> tools;
      for (const auto& t : plans.front().tools) tools.push_back(t.name + " " + version_string(t.version) + " " + t.path.string());
      toolchains.push_back({name, tools.empty() ? "-" : join(tools, "; ")});
    }
    rows.push_back({name, recipe.version, source, cache, state});
  }
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << "\n";
  }
  out << "build directory: " << layout.root().string() << "\n";
  // Every [requires] is satisfied by these (a component whose toolchain is missing says
  // "cannot build" above, and why below).
  if (!toolchains.empty()) out << "toolchains:\n";
  size_t name_width = 0;
  for (const auto& row : toolchains) name_width = std::max(name_width, row[0].size());
  for (const auto& row : toolchains) out << "  " << row[0] << std::string(name_width - row[0].size() + 2, ' ') << row[1] << "\n";
  for (const auto& n : notes) out << n << "\n";
}

void clean_components(const PackOptions& options, const std::vector<std::string>& names, std::ostream& out) {
  RecipeSet set = load_recipe_set(options.recipes_dir);
  for (const auto& name : names)
    if (!set.find(name)) throw UsageError("--clean " + name + ": no such component in " + set.dir.string());
  BuildLayout layout(options.build_dir);
  BuildLock lock(layout.lock_file());
  for (const auto& name : names) {
    std::error_code ec;
    fs::remove_all(layout.component(name), ec);
    if (ec) throw Error(layout.component(name).string() + ": cannot remove: " + ec.message());
    out << "dkmpack: removed " << layout.component(name).string() << " (downloads stay in " << layout.cache().string() << ")\n";
  }
}

}  // namespace dkm::pack

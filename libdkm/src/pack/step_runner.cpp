// One step of one component, with its log, markers and stamp.
#include <dkm/pack/step_runner.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include "builders.hpp"
#include "plan.hpp"
#include "source_record.hpp"
#include "sources.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <chrono>
#include <ctime>
#include <iostream>

namespace dkm::pack {

namespace {

/// Output of a step: the whole of it in the step's log, line by line with a prefix in
/// build.log (O_APPEND writes of whole lines, so parallel steps do not interleave mid-line).
class StepLog {
 public:
  StepLog(const fs::path& step_log, const fs::path& build_log, std::string prefix, bool echo)
      : prefix_(std::move(prefix)), echo_(echo) {
    fs::create_directories(step_log.parent_path());
    step_fd_ = ::open(step_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (step_fd_ < 0) throw Error(step_log.string() + ": cannot write: " + errno_text());
    build_fd_ = ::open(build_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;
  ~StepLog() {
    if (!partial_.empty()) write("\n");
    ::close(step_fd_);
    if (build_fd_ >= 0) ::close(build_fd_);
  }

  /// Appends output as it comes.
  void write(std::string_view chunk) {
    write_all(step_fd_, chunk);
    if (echo_) std::cout << chunk << std::flush;
    partial_ += chunk;
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
      if (build_fd_ >= 0) write_all(build_fd_, prefix_ + partial_.substr(start, nl - start + 1));
    partial_.erase(0, start);
  }
  /// Appends one line of dkmpack's own.
  void line(const std::string& text) { write(text + "\n"); }

 private:
  static void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // a full disk must not hide the build's own error
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  int step_fd_ = -1;
  int build_fd_ = -1;
  std::string prefix_;
  std::string partial_;
  bool echo_;
};

std::string now_text() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buf;
}

void run_action(const Action& action, const std::map<std::string, std::string>& env, StepLog& log) {
  log.line(action.display());
  if (action.argv.empty()) {
    action.run();
    return;
  }
  RunOptions options;
  options.cwd = action.cwd;
  options.env = env;
  for (const auto& [k, v] : action.env) options.env[k] = v;
  options.on_output = [&](std::string_view chunk) { log.write(chunk); };
  RunResult result = run_process(action.argv, options);
  if (!result.ok()) {
    std::string what = fs::path(action.argv[0]).filename().string() + (action.argv.size() > 1 ? " " + action.argv[1] : "");
    throw Error("`" + what + "` failed (" + result.describe() + ")");
  }
}

void write_record(const ComponentPlan& plan, const BuildLayout& layout) {
  const Recipe& r = plan.recipe;
  SourceRecord record;
  record.name = r.name;
  record.version = r.version;
  record.license = r.license;
  for (const auto& f : r.license_files) record.license_files.push_back(layout.source_dir(r.name) / f);
  record.recipe = r.file;
  record.type = std::string(to_string(r.source.type));
  record.url = r.source.url;
  record.tag = r.source.tag;
  record.branch = r.source.branch;
  if (r.source.type == SourceType::git) record.commit = plan.source.revision;
  if (r.source.type == SourceType::archive) record.sha256 = plan.source.revision;
  record.path = r.source.path;
  record.override = plan.source.override;
  record.patches = r.source.patches;
  record.install_dir = layout.install_dir(r.name);
  write_source_record(layout.source_record(r.name), record);
}

void remove_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

/// Empties NAME/install/ for a fresh tree: nothing stale from an earlier build.
void empty_install_dir(const BuildLayout& layout, const std::string& name, StepLog& log) {
  log.line("# emptying " + layout.install_dir(name).string());
  std::error_code ec;
  fs::remove_all(layout.install_dir(name), ec);
  fs::create_directories(layout.install_dir(name));
}

/// The install step: the builders' install actions into NAME/install/, then source.json.
void install_component(const ComponentPlan& plan, const BuildLayout& layout, const std::function<void(const Action&)>& runner,
                       const StepOptions& options, const Variables& vars, StepLog& log) {
  const std::string& name = plan.recipe.name;
  // Nothing stale from an earlier install (a moved npm destination...). Only a command
  // build may have written there before this step: then it stays.
  bool command = std::any_of(plan.recipe.builds.begin(), plan.recipe.builds.end(),
                             [](const BuildSpec& b) { return b.system == BuildSystem::command; });
  if (!command) empty_install_dir(layout, name, log);
  fs::create_directories(layout.install_dir(name));
  for (const auto& a : builder_actions(plan, Step::install, layout, options.jobs, vars)) runner(a);
  write_record(plan, layout);
  std::error_code ec;
  fs::last_write_time(layout.install_dir(name), fs::file_time_type::clock::now(), ec);
}

/// Runs the work of one step, its output into `log`; throws on failure.
void run_step_work(const ComponentPlan& plan, const BuildLayout& layout, Step step, const StepOptions& options, StepLog& log) {
  const std::string& name = plan.recipe.name;
  const char* path_var = std::getenv("PATH");
  std::map<std::string, std::string> env = step_environment(plan, layout, path_var ? path_var : "/usr/bin:/bin");
  Variables vars = {{"jobs", std::to_string(options.jobs)}};
  if (step >= Step::configure) {
    // The source's time, for ${commit_time} and for every tool that honours
    // SOURCE_DATE_EPOCH (the recipe's [env] may still say otherwise).
    vars["commit_time"] = std::to_string(read_commit_time(layout, name));
    if (!plan.recipe.env.count("SOURCE_DATE_EPOCH")) env["SOURCE_DATE_EPOCH"] = vars["commit_time"];
  }
  for (auto& [k, v] : env) v = expand(v, vars);
  auto runner = [&](const Action& a) { run_action(a, env, log); };
  auto say = [&](const std::string& text) { log.line(text); };
  switch (step) {
    case Step::fetch: fetch_source(plan, layout, say); return;
    case Step::patch: prepare_source_tree(plan, layout, say, runner); return;
    case Step::install: install_component(plan, layout, runner, options, vars, log); return;
    default: break;
  }
  // A fresh install tree for this build. Any later step may write there (install does;
  // a command build may too).
  if (step == Step::configure) empty_install_dir(layout, name, log);
  auto actions = builder_actions(plan, step, layout, options.jobs, vars);
  if (actions.empty()) {
    std::vector<std::string> systems;
    for (const auto& b : plan.recipe.builds) systems.emplace_back(to_string(b.system));
    log.line("# nothing to " + std::string(to_string(step)) + " for build system " + join(systems, ", "));
  }
  for (const auto& a : actions) runner(a);
}

/// Tells `out` that the step failed, with the last lines of its log unless verbose.
void report_failure(const std::string& name, Step step, const std::string& error, const fs::path& log_path,
                    const StepOptions& options, std::ostream& out) {
  std::string text;
  try {
    text = read_file(log_path);
  } catch (const Error&) {
  }
  out << name << ": " << to_string(step) << " failed: " << error << "\n";
  if (!options.verbose) {
    out << "--- last lines of " << log_path.string() << " ---\n" << last_lines(text, options.tail_lines);
    if (!text.empty() && text.back() != '\n') out << "\n";
    out << "--- end of " << log_path.string() << " ---\n";
  } else {
    out << "log: " << log_path.string() << "\n";
  }
  out.flush();
}

}  // namespace

int run_step(const BuildLayout& layout, const std::string& name, Step step, const StepOptions& options, std::ostream& out) {
  const std::string step_name(to_string(step));
  ComponentPlan plan = read_plan(layout.plan_file(name));
  std::string key(trim(read_file(layout.key_file(name, step))));
  fs::path stamp = layout.stamp(name, step);
  fs::path running = layout.running_marker(name, step);
  fs::path failed = layout.failed_marker(name, step);
  fs::path log_path = layout.step_log(name, step);

  fs::create_directories(stamp.parent_path());
  // This step and the ones after it are not done any more, whatever happens next.
  for (Step later : kSteps)
    if (later >= step) remove_quietly(layout.stamp(name, later));
  remove_quietly(failed);
  write_file_atomic(running, std::to_string(::getpid()) + "\n");

  std::string error;
  {
    StepLog log(log_path, layout.build_log(), name + ": " + step_name + " | ", options.verbose);
    log.line("# dkmpack " + name + " " + step_name + ", started " + now_text() + ", key " + key);
    try {
      run_step_work(plan, layout, step, options, log);
      log.line("# done " + now_text());
    } catch (const std::exception& e) {
      error = e.what();
      log.line("dkmpack: " + error);
    }
  }
  if (error.empty()) {
    write_file_atomic(stamp, key + "\n");  // last: the step counts as done only now
    remove_quietly(running);
    return kExitOk;
  }
  write_file_atomic(failed, log_path.string() + "\n");
  remove_quietly(running);
  report_failure(name, step, error, log_path, options, out);
  return kExitFailure;
}

}  // namespace dkm::pack

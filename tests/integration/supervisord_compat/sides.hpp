#pragma once
// The two supervisors a scenario runs under, each in its own temporary root:
//   supervisord  Debian's supervisor 4.2.5: ROOT/conf/supervisord.conf (the harness's
//                [unix_http_server], [supervisord], [rpcinterface:supervisor] and
//                [supervisorctl] sections, then the scenario's main file), driven by
//                `supervisorctl -c FILE CMD`; started by `supervisord -c FILE` from ROOT.
//   dkm          build/.../tools/dkm on an install-like ROOT: conf/services.ini (the
//                scenario's main file as it is), bin/env, run/; driven by `dkm -d ROOT CMD`;
//                started as `dkm -d ROOT supervise` in the background from ROOT.
// Both keep their socket, pid file and main log as ROOT/run/dkm.{sock,pid,log}, so that
// paths read the same once ROOT is replaced. Every process a side starts carries
// RECORDING_CHILD_JOURNAL=ROOT/journal in its environment: the children write there,
// and cleanup() ends whatever still carries it.

#include "processes.hpp"
#include "scenario.hpp"
#include "test_support.hpp"

#include <dkm/core/install_layout.hpp>

#include <pwd.h>

#include <memory>

namespace dkm::compat {

/// What the two sides have in common: a root, an environment, the scenario's files.
class Side {
 public:
  Side(std::string name, const Scenario& scenario, const fs::path& parent)
      : name_(std::move(name)), scenario_(scenario), root_(parent / name_) {
    fs::create_directories(root_ / "conf");
    fs::create_directories(root_ / "run");
    env_["RECORDING_CHILD_JOURNAL"] = journal().string();
  }
  Side(const Side&) = delete;
  Side& operator=(const Side&) = delete;
  virtual ~Side() = default;

  /// "supervisord" or "dkm".
  const std::string& name() const { return name_; }
  /// ROOT.
  const fs::path& root() const { return root_; }
  /// Where the children write their journal.
  fs::path journal() const { return root_ / "journal"; }

  /// Writes the scenario's files of `edit` ("" for the initial ones).
  void write_files(const std::string& edit) {
    for (const auto& f : scenario_.files) {
      if (f.edit != edit) continue;
      std::string text = placeholders(f.text);
      if (f.path == "main") {
        write_main(text);
        continue;
      }
      fs::path path = root_ / f.path;
      fs::create_directories(path.parent_path());
      write_file_atomic(path, text, f.path.rfind("bin/", 0) == 0 ? 0755 : 0644);
    }
  }

  /// Starts the supervisor (supervisord -c FILE, or dkm's in the background) and waits
  /// until it answers; its result is the start command's (exit 0 once it answers).
  virtual RunResult boot() = 0;
  /// Runs one client command (supervisorctl's words) and returns its result.
  virtual RunResult ctl(const std::vector<std::string>& args, const std::string& input,
                        std::optional<std::chrono::milliseconds> interrupt) = 0;
  /// Stops the supervisor and ends every process this side started.
  virtual void cleanup() = 0;

  /// True when the last boot() failed and no supervisor answers since: waiting for a
  /// state is pointless then.
  bool refused_to_start() {
    return boot_failed_ && ctl({"pid"}, "", std::nullopt).exit_code != 0;
  }

  /// The pid `ctl pid NAME` reports, 0 when none.
  pid_t pid_of(const std::string& name) {
    RunResult r = ctl({"pid", name}, "", std::nullopt);
    return static_cast<pid_t>(std::strtol(r.output.c_str(), nullptr, 10));
  }

 protected:
  /// Writes the main program file.
  virtual void write_main(const std::string& text) = 0;

  /// Replaces @CHILD@, @USER@ and @ROOT@.
  std::string placeholders(std::string text) const {
    const passwd* pw = ::getpwuid(::geteuid());
    text = test::replace_every(text, "@CHILD@",
                               (fs::path(DKM_BINARY_DIR) / "tests/fixtures/programs/recording_child").string());
    text = test::replace_every(text, "@USER@", pw ? pw->pw_name : "?");
    return test::replace_every(text, "@ROOT@", root_.string());
  }

  /// The scenario's `env` lines, placeholders replaced.
  std::map<std::string, std::string> scenario_env() const {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : scenario_.env) out[k] = placeholders(v);
    return out;
  }

  /// Options for a command: cwd ROOT, the side's environment.
  RunOptions options(const std::string& input = "") const {
    RunOptions o;
    o.cwd = root_;
    o.env = env_;
    o.unset_env = unset_;
    if (!input.empty()) o.input = input;
    return o;
  }

  /// Waits until `ctl pid` answers with exit 0 (at most `limit`); false when it never did.
  bool wait_until_answering(std::chrono::milliseconds limit, const std::function<bool()>& still_starting) {
    return test::wait_until([&] { return !still_starting() || ctl({"pid"}, "", std::nullopt).exit_code == 0; }, limit,
                            100ms) &&
           ctl({"pid"}, "", std::nullopt).exit_code == 0;
  }

  std::string name_;
  const Scenario& scenario_;
  fs::path root_;
  std::map<std::string, std::string> env_;
  std::vector<std::string> unset_;
  bool boot_failed_ = false;
};

/// Debian's supervisord and supervisorctl.
class SupervisordSide : public Side {
 public:
  SupervisordSide(const Scenario& scenario, const fs::path& parent) : Side("supervisord", scenario, parent) {
    for (const auto& [k, v] : scenario_env()) env_[k] = v;
    write_files("");
  }
  ~SupervisordSide() override { cleanup(); }

  RunResult boot() override {
    CommandOptions o{options(), std::nullopt, 60s};
    RunResult r = run_command({"/usr/bin/supervisord", "-c", config().string()}, o);
    if (r.exit_code == 0 && !wait_until_answering(20s, [] { return true; })) {
      r.exit_code = -2;
      r.output += "(the harness: supervisord did not answer within 20 s)\n";
    }
    boot_failed_ = r.exit_code != 0;
    return r;
  }

  RunResult ctl(const std::vector<std::string>& args, const std::string& input,
                std::optional<std::chrono::milliseconds> interrupt) override {
    std::vector<std::string> argv{"/usr/bin/supervisorctl", "-c", config().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, CommandOptions{options(input), interrupt, 120s});
  }

  void cleanup() override {
    if (cleaned_) return;
    cleaned_ = true;
    pid_t pid = 0;
    std::error_code ec;
    if (fs::exists(root_ / "run/dkm.pid", ec)) pid = std::atoi(read_file(root_ / "run/dkm.pid").c_str());
    ctl({"shutdown"}, "", std::nullopt);
    if (pid > 0) test::wait_until([&] { return !dkm::process_alive(pid); }, 30s, 50ms);
    kill_marked("RECORDING_CHILD_JOURNAL=" + journal().string());
  }

 protected:
  void write_main(const std::string& text) override {
    const std::string run = (root_ / "run").string();
    write_file_atomic(config(),
                      "; written by the supervisord_compat harness, before the scenario's own file\n"
                      "[unix_http_server]\nfile = " + run + "/dkm.sock\n\n"
                      "[supervisord]\nlogfile = " + run + "/dkm.log\npidfile = " + run +
                          "/dkm.pid\nchildlogdir = " + run + "\nnodaemon = false\n\n"
                      "[rpcinterface:supervisor]\n"
                      "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                      "[supervisorctl]\nserverurl = unix://" + run + "/dkm.sock\n\n"
                      "; the scenario's file\n" + text);
  }

 private:
  fs::path config() const { return root_ / "conf/supervisord.conf"; }
  bool cleaned_ = false;
};

/// dkm, as built, on an install-like directory.
class DkmSide : public Side {
 public:
  DkmSide(const Scenario& scenario, const fs::path& parent) : Side("dkm", scenario, parent) {
    env_["DKM_ALLOW_ROOT"] = "1";
    unset_ = {"DKM_HOME"};
    fs::create_directories(root_ / "bin");
    auto env = scenario_env();
    env["DKM_HOME"] = root_.string();
    write_file_atomic(root_ / "bin/env", dkm::render_env_file(env));
    write_files("");
  }
  ~DkmSide() override { cleanup(); }

  RunResult boot() override {
    supervisor_ = start_in_background({dkm(), "-d", root_.string(), "supervise"}, options(),
                                      root_.parent_path() / "dkm-supervise.out");
    std::optional<int> ended;
    auto starting = [&] {
      if (!ended) ended = reap(supervisor_);
      return !ended;
    };
    bool up = wait_until_answering(20s, starting);
    RunResult r;
    if (ended) {
      supervisor_ = -1;
      r.exit_code = WIFEXITED(*ended) ? WEXITSTATUS(*ended) : -1;
      r.signal = WIFSIGNALED(*ended) ? WTERMSIG(*ended) : 0;
    } else {
      r.exit_code = up ? 0 : -2;
    }
    r.output = read_file(root_.parent_path() / "dkm-supervise.out");
    boot_failed_ = r.exit_code != 0;
    return r;
  }

  RunResult ctl(const std::vector<std::string>& args, const std::string& input,
                std::optional<std::chrono::milliseconds> interrupt) override {
    std::vector<std::string> argv{dkm(), "-d", root_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, CommandOptions{options(input), interrupt, 120s});
  }

  void cleanup() override {
    if (cleaned_) return;
    cleaned_ = true;
    run_command({dkm(), "-d", root_.string(), "stop"}, CommandOptions{options(), std::nullopt, 60s});
    if (supervisor_ > 0) {
      test::wait_until([&] { return reap(supervisor_).has_value(); }, 30s, 50ms);
      supervisor_ = -1;
    }
    kill_marked("RECORDING_CHILD_JOURNAL=" + journal().string());
  }

 protected:
  void write_main(const std::string& text) override { write_file_atomic(root_ / "conf/services.ini", text); }

 private:
  static std::string dkm() { return test::tool("dkm").string(); }
  pid_t supervisor_ = -1;
  bool cleaned_ = false;
};

}  // namespace dkm::compat

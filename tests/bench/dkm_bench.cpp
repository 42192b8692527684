// dkm_bench: runs Debian's supervisord and dkm side by side on the same sleeping programs
// and prints, for each: `status` wall time (median), the client's peak memory, the
// supervisor's resident memory, and the time from a service's crash to its restart.
// Started by tests/bench/dkm-vs-supervisord.sh, which builds what it needs.
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/core/proc_info.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace dkm;
using namespace std::chrono;

namespace {

struct Timed {
  double ms = 0;
  long peak_kib = 0;
  int status = 0;
};

/// Runs argv with output discarded; wall time and the child's peak RSS.
Timed run_timed(const std::vector<std::string>& argv) {
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  auto t0 = steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execvp(argp[0], argp.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  Timed t;
  t.ms = duration<double, std::milli>(steady_clock::now() - t0).count();
  t.peak_kib = usage.ru_maxrss;
  t.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return t;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

/// Children of `parent` whose command name is `comm` (/proc/PID/task/PID/children: no full scan,
/// so the restart is seen within a fraction of a millisecond).
std::set<pid_t> children_named(pid_t parent, const std::string& comm) {
  std::set<pid_t> out;
  std::string p = std::to_string(parent);
  std::string list = dkm::read_proc_file("/proc/" + p + "/task/" + p + "/children");
  for (const auto& word : split(list, ' ')) {
    pid_t pid = static_cast<pid_t>(std::atol(word.c_str()));
    if (pid <= 0) continue;
    auto st = dkm::read_proc_stat(pid);
    if (st && st->comm == comm && st->state != 'Z') out.insert(pid);
  }
  return out;
}

bool wait_for(const std::function<bool()>& cond, seconds limit) {
  auto end = steady_clock::now() + limit;
  while (steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

/// Kills one child of the supervisor and measures until a new one runs; median of `rounds`.
double crash_to_restart_ms(pid_t supervisor, int rounds) {
  std::vector<double> samples;
  for (int i = 0; i < rounds; ++i) {
    // Let the programs pass startsecs, so the crash is a crash of a RUNNING service.
    std::this_thread::sleep_for(milliseconds(1500));
    auto before = children_named(supervisor, "sleeper");
    if (before.empty()) break;
    pid_t victim = *before.begin();
    auto t0 = steady_clock::now();
    ::kill(victim, SIGKILL);
    std::set<pid_t> now;
    bool restarted = false;
    while (steady_clock::now() - t0 < seconds(30)) {
      now = children_named(supervisor, "sleeper");
      for (pid_t p : now)
        if (!before.count(p)) restarted = true;
      if (restarted) break;
      std::this_thread::sleep_for(microseconds(200));
    }
    if (restarted) samples.push_back(duration<double, std::milli>(steady_clock::now() - t0).count());
  }
  return median(samples);
}

struct Figures {
  std::string name;
  double status_ms = 0;
  long status_peak_kib = 0;
  long supervisor_kib = 0;
  double restart_ms = 0;
};

/// Status timings (median of `runs`), the client's peak memory, the supervisor's, crash-to-restart.
void measure(Figures& f, const std::vector<std::string>& status, pid_t supervisor, int runs, int rounds) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    Timed t = run_timed(status);
    times.push_back(t.ms);
    f.status_peak_kib = std::max(f.status_peak_kib, t.peak_kib);
  }
  f.status_ms = median(times);
  f.supervisor_kib = dkm::resident_kib(supervisor);
  f.restart_ms = crash_to_restart_ms(supervisor, rounds);
}

void print(const Figures& f, int runs) {
  std::printf("%-12s status median %8.2f ms (%d runs), client peak %6.1f MiB, supervisor resident %6.1f MiB, "
              "crash-to-restart median %8.1f ms\n",
              f.name.c_str(), f.status_ms, runs, f.status_peak_kib / 1024.0, f.supervisor_kib / 1024.0, f.restart_ms);
}

Figures bench_supervisord(const std::string& sleeper, int runs, int rounds) {
  TempDir dir("dkm-bench-supervisord-");
  fs::path conf = dir.path() / "supervisord.conf";
  std::string d = dir.path().string();
  std::string text = "[unix_http_server]\nfile=" + d + "/supervisor.sock\nchmod=0700\n\n"
                     "[supervisord]\nlogfile=" + d + "/supervisord.log\npidfile=" + d + "/supervisord.pid\n"
                     "childlogdir=" + d + "\nuser=root\n\n"
                     "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                     "[supervisorctl]\nserverurl=unix://" + d + "/supervisor.sock\n\n";
  for (int i = 1; i <= 4; ++i)
    text += "[program:sleep" + std::to_string(i) + "]\ncommand=" + sleeper + "\nstartsecs=1\nstdout_logfile=" + d +
            "/sleep" + std::to_string(i) + ".log\nredirect_stderr=true\n\n";
  write_file_atomic(conf, text);
  Figures f;
  f.name = "supervisord";
  if (run_timed({"supervisord", "-c", conf.string()}).status != 0) {
    std::fprintf(stderr, "dkm_bench: supervisord did not start (see %s/supervisord.log)\n", d.c_str());
    return f;
  }
  std::vector<std::string> status{"supervisorctl", "-c", conf.string(), "status"};
  wait_for([&] { return run_timed(status).status == 0; }, seconds(30));
  pid_t pid = static_cast<pid_t>(std::atol(read_file(dir.path() / "supervisord.pid").c_str()));
  measure(f, status, pid, runs, rounds);
  run_timed({"supervisorctl", "-c", conf.string(), "shutdown"});
  wait_for([&] { return !dkm::process_alive(pid); }, seconds(30));
  return f;
}

Figures bench_dkm(const std::string& dkm, const std::string& sleeper, int runs, int rounds) {
  TempDir dir("dkm-bench-dkm-");
  fs::path root = dir.path() / "inst";
  fs::create_directories(root / "conf");
  fs::create_directories(root / "run");
  std::string text;
  for (int i = 1; i <= 4; ++i)
    text += "[program:sleep" + std::to_string(i) + "]\ncommand=" + sleeper + "\nstartsecs=1\n\n";
  write_file_atomic(root / "conf" / "services.ini", text);
  ::setenv("DKM_ALLOW_ROOT", "1", 1);
  Figures f;
  f.name = "dkm";
  if (run_timed({dkm, "-d", root.string(), "start"}).status != 0) {
    std::fprintf(stderr, "dkm_bench: dkm start failed:\n%s\n", read_file(root / "run" / "dkm.log").c_str());
    run_timed({dkm, "-d", root.string(), "stop"});  // the supervisor runs even when a service cannot
    return f;
  }
  pid_t pid = static_cast<pid_t>(std::atol(read_file(root / "run" / "dkm.pid").c_str()));
  std::vector<std::string> status{dkm, "-d", root.string(), "status"};
  measure(f, status, pid, runs, rounds);
  run_timed({dkm, "-d", root.string(), "stop"});
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dkm, sleeper;
  int runs = 200, ctl_runs = 20, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dkm") dkm = argv[i + 1];
    else if (flag == "--sleeper") sleeper = argv[i + 1];
    else if (flag == "--runs") runs = std::atoi(argv[i + 1]);
    else if (flag == "--supervisorctl-runs") ctl_runs = std::atoi(argv[i + 1]);
    else if (flag == "--restarts") rounds = std::atoi(argv[i + 1]);
  }
  if (dkm.empty() || sleeper.empty()) {
    std::fprintf(stderr, "usage: dkm_bench --dkm PATH --sleeper PATH [--runs N] [--supervisorctl-runs N] [--restarts N]\n");
    return 2;
  }
  dkm = fs::absolute(dkm).string();
  sleeper = fs::absolute(sleeper).string();
  std::printf("four sleeping programs under each supervisor\n");
  Figures s = bench_supervisord(sleeper, ctl_runs, rounds);
  print(s, ctl_runs);
  Figures d = bench_dkm(dkm, sleeper, runs, rounds);
  print(d, runs);
  if (s.status_ms > 0 && d.status_ms > 0)
    std::printf("dkm status is %.0fx faster; the dkm supervisor uses %.1fx less memory\n", s.status_ms / d.status_ms,
                d.supervisor_kib > 0 ? static_cast<double>(s.supervisor_kib) / d.supervisor_kib : 0.0);
  return 0;
}

// A service that cannot stay up: BACKOFF, then FATAL after startretries, and the
// supervisor sleeps (no CPU, no wake-ups) while it waits.
#include "dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// CPU clock ticks (user + system) a process has used.
std::uint64_t cpu_ticks(pid_t pid) {
  auto st = dkm::read_proc_stat(pid);
  return st ? st->utime + st->stime : 0;
}

}  // namespace

TEST_CASE("a service that exits at once goes BACKOFF, then FATAL after startretries while the supervisor idles",
          "[dkm][backoff]") {
  DkmInstall inst("[program:quitter]\ncommand = " + fixture_program("exits_at_once") +
                  " 3\nautostart = false\nstartretries = 2\n\n[program:calm]\ncommand = " +
                  fixture_program("sleeper") + "\nautostart = false\n");
  // -t 0: do not wait, so the states can be watched while they change.
  RunResult start = inst.dkm({"start", "-t", "0", "quitter"});
  INFO(start.output);
  REQUIRE(start.exit_code == 0);
  pid_t supervisor = inst.supervisor_pid();
  REQUIRE(supervisor > 0);
  std::uint64_t ticks_before = cpu_ticks(supervisor);

  StatusLine backoff = inst.wait_for_state("quitter", "BACKOFF", 10s);
  INFO(backoff.text);
  CHECK(backoff.state == "BACKOFF");
  CHECK(backoff.text.find("Exited too quickly") != std::string::npos);

  // 1 + 2 s of backoff between the three attempts (startretries = 2), then FATAL.
  StatusLine fatal = inst.wait_for_state("quitter", "FATAL", 30s);
  INFO(fatal.text);
  REQUIRE(fatal.state == "FATAL");
  std::string log = read_file(inst.layout().supervisor_log());
  INFO(log);
  size_t spawns = 0;
  for (size_t pos = 0; (pos = log.find("spawned: 'quitter'", pos)) != std::string::npos; ++pos) ++spawns;
  CHECK(spawns == 3);
  CHECK(log.find("gave up: 'quitter' entered FATAL state") != std::string::npos);
  // Three spawns and a few status requests: a few clock ticks at most, not a busy wait.
  CHECK(cpu_ticks(supervisor) - ticks_before <= 10);

  // FATAL stays FATAL, and the supervisor sleeps: no CPU, no wake-ups.
  long switches = dkm::proc_status_counter(supervisor, "voluntary_ctxt_switches");
  std::uint64_t ticks = cpu_ticks(supervisor);
  std::this_thread::sleep_for(2s);
  CHECK(dkm::proc_status_counter(supervisor, "voluntary_ctxt_switches") - switches <= 1);
  CHECK(cpu_ticks(supervisor) - ticks <= 1);
  CHECK(inst.status()["quitter"].state == "FATAL");

  // `dkm start` on a FATAL service tries again, waits through its retries, and reports the
  // failure in supervisorctl's words; its log says why.
  RunResult again = inst.dkm({"start", "quitter"});
  INFO(again.output);
  CHECK(again.exit_code == 7);
  CHECK(again.output == "quitter: ERROR (spawn error)\n");
  CHECK(inst.status()["quitter"].state == "FATAL");
  CHECK(read_file(inst.layout().run() / "quitter.log").find("exits_at_once: giving up with code 3") != std::string::npos);
}

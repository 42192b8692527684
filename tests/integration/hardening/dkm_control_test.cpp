// Low findings on dkm's control socket: a client that holds connections open must not
// lock every `dkm` command out, and a request whose keys repeat must not be obeyed by
// whichever value comes last.
#include "hardening_fixture.hpp"

#include "../dkm/dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("64 idle connections to dkm.sock do not lock dkm status out",
          "[hardening][dkm][socket]") {
  const std::string token = unique_token();
  KillAtEnd cleanup{{token}};
  ServicesInstall inst(shell_service("svc", "exec sleep " + token));
  REQUIRE(inst.as_root({"start"}).ok());

  std::vector<int> idle;
  for (int i = 0; i < 64; ++i) {
    int fd = dkm::supervise::connect_control_socket(inst.layout().control_socket());
    REQUIRE(fd >= 0);
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(200ms);  // the supervisor has accepted them all

  RunResult status = inst.as_root({"status"});
  INFO(status.output);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.output, Catch::Contains("RUNNING"));
  CHECK_THAT(status.output, !Catch::Contains("Broken pipe"));
  for (int fd : idle) ::close(fd);
  CHECK(inst.as_root({"status"}).exit_code == 0);
  CHECK(inst.as_root({"stop"}).ok());
}

TEST_CASE("a control request with a repeated key is refused, not obeyed by its last value",
          "[hardening][dkm][socket]") {
  const std::string token = unique_token();
  KillAtEnd cleanup{{token}};
  ServicesInstall inst(shell_service("svc", "exec sleep " + token));
  REQUIRE(inst.as_root({"start"}).ok());
  pid_t supervisor = inst.supervisor_pid();

  std::string answer = raw_exchange(inst.layout().control_socket(), "{\"command\":\"status\",\"command\":\"shutdown\"}\n");
  INFO(answer);
  CHECK_THAT(answer, Catch::Contains("\"ok\":false") && Catch::Contains("command"));
  std::this_thread::sleep_for(300ms);
  CHECK(dkm::process_alive(supervisor));
  CHECK(processes_with_arg(token).size() == 1);

  // A well-formed request is still answered.
  CHECK_THAT(raw_exchange(inst.layout().control_socket(), "{\"command\":\"status\"}\n"), Catch::Contains("\"ok\":true"));
  CHECK(inst.as_root({"stop"}).ok());
}

// Bad services files: an error naming file and line, and nothing started.
#include "dkm_harness.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Runs `dkm start` on a broken file and checks nothing of the install runs afterwards.
RunResult start_broken(const std::string& services) {
  DkmInstall inst(services);
  RunResult r = inst.dkm({"start"});
  CHECK(inst.processes().empty());
  CHECK_FALSE(fs::exists(inst.layout().control_socket()));
  CHECK(inst.dkm({"status"}).exit_code == 3);
  return r;
}

}  // namespace

TEST_CASE("a bad services file is an error with file and line, and nothing starts", "[dkm][config]") {
  const std::string good = "[program:fine]\ncommand = " + fixture_program("sleeper") + "\n\n";

  SECTION("unknown key") {
    RunResult r = start_broken(good + "[program:odd]\ncommand = /bin/true\ncolour = blue\n");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("conf/services.ini:6: [program:odd] colour: unknown key 'colour'") != std::string::npos);
  }
  SECTION("missing command") {
    RunResult r = start_broken(good + "[program:empty]\nautostart = true\n");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("conf/services.ini:4: [program:empty] has no command") != std::string::npos);
  }
  SECTION("bad number") {
    RunResult r = start_broken(good + "[program:slow]\ncommand = /bin/true\n\nstopwaitsecs = ten\n");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("conf/services.ini:7: [program:slow] stopwaitsecs: 'ten' is not a number") !=
          std::string::npos);
  }
  SECTION("unknown section") {
    RunResult r = start_broken(good + "[programme:typo]\ncommand = /bin/true\n");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("conf/services.ini:4: unknown section [programme:typo]") != std::string::npos);
  }
}

TEST_CASE("supervisord sections and keys dkm does not need are reported and ignored", "[dkm][config]") {
  DkmInstall inst("[supervisord]\nlogfile = /tmp/elsewhere.log\n\n[unix_http_server]\nfile = /tmp/s.sock\n\n"
                  "[program:fine]\ncommand = " + fixture_program("sleeper") + "\nautostart = false\n");
  RunResult r = inst.dkm({"start"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  // [supervisord]'s environment, umask and directory are dkm's too; its log file is not.
  CHECK(r.output.find("services.ini:1: [supervisord] logfile: not used by dkm") != std::string::npos);
  CHECK(r.output.find("services.ini:4: [unix_http_server] is not used by dkm; ignored") != std::string::npos);
  CHECK(inst.status()["fine"].state == "RUNNING");
}

// supervise/status_format: status lines as supervisorctl prints them.
#include <catch2/catch.hpp>

#include "supervise/control_protocol.hpp"
#include "supervise/status_format.hpp"

using namespace dkm::supervise;

TEST_CASE("status lines look like supervisorctl's", "[status_format]") {
  CHECK(format_uptime(0) == "0:00:00");
  CHECK(format_uptime(3723.9) == "1:02:03");
  CHECK(format_uptime(86400 + 61) == "1 day, 0:01:01");
  CHECK(format_uptime(3 * 86400) == "3 days, 0:00:00");
  ServiceStatus run;
  run.name = "carbon";
  run.state = ServiceState::kRunning;
  run.pid = 4242;
  run.uptime = 65;
  ServiceStatus fatal;
  fatal.name = "a-very-long-service-name-beyond-thirty";
  fatal.state = ServiceState::kFatal;
  fatal.detail = "Exited too quickly (process log may have details)";
  ServiceStatus fresh;
  fresh.name = "idle";
  fresh.state = ServiceState::kStopped;
  std::string text = format_status_lines({run, fatal, fresh});
  auto nl = text.find('\n');
  CHECK(text.substr(0, nl) == "carbon" + std::string(41 - 6, ' ') + "RUNNING   pid 4242, uptime 0:01:05");
  CHECK(text.find("a-very-long-service-name-beyond-thirty   FATAL     Exited too quickly") != std::string::npos);
  CHECK(text.find("STOPPED   Not started\n") != std::string::npos);
  ServiceStatus starting{"web", ServiceState::kStarting, 7, 1, 0, "waiting for tcp:127.0.0.1:80", "", "", ""};
  CHECK(describe_status(starting) == "pid 7, waiting for tcp:127.0.0.1:80");
}

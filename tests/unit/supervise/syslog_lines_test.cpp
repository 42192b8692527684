// supervise/syslog_lines: a program's output to syslog, one message a line, as supervisord sends it.
#include <catch2/catch.hpp>

#include "supervise/syslog_lines.hpp"

#include <string>
#include <vector>

using namespace dkm::supervise;

TEST_CASE("each line of what a program wrote is one syslog message, prefixed with its name", "[syslog_lines]") {
  std::vector<std::string> sent;
  SyslogLines lines("web", [&](const std::string& m) { sent.push_back(m); });
  lines.write("one\ntwo\n\n");
  lines.write("half a line");
  lines.write("\n");
  CHECK(sent == std::vector<std::string>{"web one", "web two", "web half a line"});
}

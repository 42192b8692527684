// Service output through pipes into run/NAME.log, rotated by size; tail -f follows rotations.
#include "dkm_harness.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("log rotation keeps every file under maxbytes with the set backups and tail -f follows across rotations",
          "[dkm][logs]") {
  // 1500 lines of 40 characters + newline, about 60 KiB, into files of 4 KiB: some 15 rotations.
  DkmInstall inst("[program:chatty]\ncommand = " + fixture_program("prints_a_lot") +
                  " 1000 1500 1000\nautostart = false\nstdout_logfile_maxbytes = 4KB\nstdout_logfile_backups = 3\n"
                  "redirect_stderr = true\n");
  fs::path log = inst.layout().run() / "chatty.log";

  // Follow before the service starts (the log does not exist yet): nothing may be missed.
  BackgroundProcess tail = background_dkm({tool("dkm").string(), "-d", inst.root(), "tail", "-f", "-n", "0", "chatty"},
                         inst.scratch("tail.out"));
  REQUIRE(inst.dkm({"start", "chatty"}).exit_code == 0);

  // The log is briefly absent while it rotates (renamed, then reopened): absent reads as "not yet".
  auto log_says_done = [&] {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find("done") != std::string::npos;
  };
  REQUIRE(wait_until(log_says_done, 60s));
  REQUIRE(wait_until([&] { return tail.output().find("done") != std::string::npos; }, 10s));
  tail.stop();

  for (const auto& path : {log, fs::path(log.string() + ".1"), fs::path(log.string() + ".2"), fs::path(log.string() + ".3")}) {
    INFO(path);
    REQUIRE(fs::exists(path));
    CHECK(fs::file_size(path) <= 4096);
    if (path != log) CHECK(fs::file_size(path) > 3000);  // cut at line ends, not wastefully early
  }
  CHECK_FALSE(fs::exists(log.string() + ".4"));
  // Rotation cuts at line ends: every file starts with a whole line.
  CHECK(read_file(log.string() + ".2").rfind("line ", 0) == 0);

  // tail -f saw every line, in order, across all the rotations, after supervisorctl's banner.
  std::string followed = tail.output();
  std::istringstream lines(followed);
  std::string line;
  REQUIRE(std::getline(lines, line));
  CHECK(line == "==> Press Ctrl-C to exit <==");
  long expected = 1;
  while (std::getline(lines, line)) {
    if (line == "done") break;
    bool in_order = line.rfind("line ", 0) == 0 && std::stol(line.substr(5, 6)) == expected;
    if (!in_order) {
      size_t at = followed.find(line);
      INFO("expected line " << expected << ", got '" << line << "' in:\n"
                            << followed.substr(at > 300 ? at - 300 : 0, 600));
      REQUIRE(in_order);
    }
    ++expected;
  }
  CHECK(expected == 1501);
  CHECK(line == "done");

  // tail without -f prints the last lines and ends.
  RunResult last = inst.dkm({"tail", "-n", "2", "chatty"});
  CHECK(last.exit_code == 0);
  CHECK(last.output.find("line 001500") != std::string::npos);
  CHECK(last.output.find("done") != std::string::npos);
  CHECK(last.output.find("line 001499") == std::string::npos);
}

TEST_CASE("reopenlogs starts a new file after the old one was moved away", "[dkm][logs]") {
  DkmInstall inst("[program:ticker]\ncommand = " + fixture_program("prints_a_lot") +
                  " 0 0 20000\nautostart = false\n");
  REQUIRE(inst.dkm({"start", "ticker"}).exit_code == 0);
  fs::path log = inst.layout().run() / "ticker.log";
  REQUIRE(wait_until([&] { return fs::exists(log) && fs::file_size(log) > 0; }));
  fs::rename(log, inst.scratch("moved.log"));
  RunResult r = inst.dkm({"reopenlogs"});
  CHECK(r.exit_code == 0);
  REQUIRE(wait_until([&] { return fs::exists(log) && fs::file_size(log) > 0; }));
  auto moved = fs::file_size(inst.scratch("moved.log"));
  std::this_thread::sleep_for(200ms);
  CHECK(fs::file_size(inst.scratch("moved.log")) == moved);
}

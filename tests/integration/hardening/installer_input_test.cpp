// Low findings on the installer's input: addresses in the forms inet_aton and the
// resolver read but inet_pton does not (127.1, 0) must not slip past the loopback and
// wildcard checks; an install directory whose name is near NAME_MAX either installs or is
// bad input (exit 2, naming it), never a failure half-way.
#include "hardening_fixture.hpp"

#include <climits>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("127.1, 0 and other short address forms are what they are to --carbon-backends and --backends",
          "[hardening][installer][addresses]") {
  BadInputSetup s;
  auto refused = [&](std::vector<std::string> extra, const std::string& culprit) {
    std::vector<std::string> args{"-d", s.dir.string(), "-p", "27600"};
    args.insert(args.end(), extra.begin(), extra.end());
    expect_refused(s, args, {culprit});
    fs::remove_all(s.dir);  // an install the check let through must not change the next case
  };
  // The relay's own PORT+1 on loopback: it would send every metric to itself.
  for (std::string self : {"127.1", "127.0.1", "2130706433", "0x7f000001", "0177.0.0.1"}) {
    INFO(self);
    refused({"-t", "relay", "--carbon-backends", self}, self);
  }
  // The wildcard: a listener's address, which no client reaches.
  for (std::string wildcard : {"0", "0.0", "0x0"}) {
    INFO(wildcard);
    refused({"-t", "relay", "--carbon-backends", wildcard}, wildcard);
    refused({"-t", "server", "--backends", wildcard + ":27603"}, wildcard);
  }
  // carbonapi reading this install's own carbonapi port as a backend.
  refused({"-t", "server", "--backends", "127.1:27602"}, "127.1");

  // Names and the usual address forms still work.
  RunResult ok = run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600", "-t", "relay", "--carbon-backends",
                                          "10.0.0.11,mon2.example.com,[fd00::12]:2003"});
  INFO(ok.output);
  CHECK(ok.ok());
}

TEST_CASE("an install directory named near NAME_MAX installs, or is refused as bad input naming it",
          "[hardening][installer]") {
  for (size_t length : {size_t{240}, size_t{NAME_MAX + 1}}) {
    INFO("a name of " << length << " characters");
    BadInputSetup s;
    fs::path dir = s.work / std::string(length, 'd');
    std::string before = tree_digest(s.work);
    RunResult r = run_installer(s.bundle, {"-d", dir.string(), "-p", "27600", "-t", "agent", "--hostname",
                                           "h.dkm.example", "--carbon-server", "127.0.0.1"});
    INFO(r.output);
    if (length > NAME_MAX || r.exit_code != 0) {
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.output, Catch::Contains(std::string(length, 'd')));
      CHECK(tree_digest(s.work) == before);
    } else {
      CHECK(dkm::InstallLayout(dir).holds_install());
    }
  }
}

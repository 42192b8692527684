// Every bad input exits with status 2, the message names the culprit
// (flag or path), and the install directory is as it was: absent, or unchanged (the
// digest of the directory that holds it is the same, so no staging leftover either).
#include <catch2/catch.hpp>

#include <unistd.h>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

using Setup = BadInputSetup;

TEST_CASE("bad input: missing -d", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-p", "27600"}, {"-d/--directory", "missing"});
}

TEST_CASE("bad input: missing -p", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string()}, {"-p/--port", "missing"});
  CHECK_FALSE(fs::exists(s.dir));
}

TEST_CASE("bad input: a port that is not a number", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "abc"}, {"-p/--port", "'abc'"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600.5"}, {"-p/--port", "'27600.5'"});
}

TEST_CASE("bad input: PORT+9 above 65535", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "65530"}, {"-p/--port", "65530", "65539"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "70000"}, {"-p/--port", "70000"});
}

TEST_CASE("bad input: an unknown install type", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "everything"}, {"-t/--type", "'everything'", "backend-agent"});
}

TEST_CASE("bad input: an unknown flag", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--frobnicate"}, {"--frobnicate"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "extra-word"}, {"'extra-word'"});
}

TEST_CASE("bad input: DIR is a file", "[installer][bad-input]") {
  Setup s;
  write_file_atomic(s.dir, "not a directory\n");
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600"}, {s.dir.string(), "not a directory"});
  fs::path below = s.dir / "sub";
  expect_refused(s, {"-d", below.string(), "-p", "27600"}, {s.dir.string(), "not a directory"});
}

TEST_CASE("bad input: DIR not writable", "[installer][bad-input]") {
  Setup s;
  fs::path locked = s.work / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  std::vector<std::string> prefix;
  if (::geteuid() == 0) {
    // Root writes anywhere: run as nobody, who can read and run the bundle but not write here.
    for (const fs::path& p : {s.tmp.path(), s.bundle.root}) fs::permissions(p, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
    prefix = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  }
  expect_refused(s, {"-d", (locked / "inst").string(), "-p", "27600", "-t", "backend"},
                 {"-d/--directory", (locked / "inst").string(), "Permission denied"}, {}, prefix);
  // An existing DIR that is not writable.
  expect_refused(s, {"-d", locked.string(), "-p", "27600", "-t", "backend"}, {"-d/--directory", locked.string()}, {}, prefix);
}

TEST_CASE("bad input: DIR already holds an install", "[installer][bad-input]") {
  Setup s;
  REQUIRE(run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600", "-t", "backend"}).ok());
  expect_refused(s, {"-d", s.dir.string(), "-p", "27700", "-t", "backend"}, {s.dir.string(), "already holds an install", "-u"});
}

TEST_CASE("bad input: DIR holds entries an install would overwrite", "[installer][bad-input]") {
  Setup s;
  fs::create_directories(s.dir / "conf");
  write_file_atomic(s.dir / "conf" / "mine.conf", "keep me\n");
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600"}, {(s.dir / "conf").string(), "already exists"});
}

TEST_CASE("bad input: update of a directory that holds no install", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-u", "-d", s.dir.string()}, {s.dir.string(), "does not exist"});
  fs::create_directory(s.dir);
  expect_refused(s, {"-u", "-d", s.dir.string()}, {s.dir.string(), "holds no install"});
}

TEST_CASE("bad input: update with another flag", "[installer][bad-input]") {
  Setup s;
  REQUIRE(run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600", "-t", "backend"}).ok());
  expect_refused(s, {"-u", "-d", s.dir.string(), "-p", "27600"}, {"-u/--update", "-p/--port"});
  expect_refused(s, {"-u", "-d", s.dir.string(), "-t", "all"}, {"-u/--update", "-t/--type"});
}

TEST_CASE("bad input: an empty or invalid host name", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--hostname", ""}, {"--hostname", "empty"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--hostname", "bad_host.example"}, {"--hostname", "'bad_host.example'"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--hostname", "a..b"}, {"--hostname", "empty label"});
}

TEST_CASE("bad input: a listen address that is not an IP address", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--carbon-listen", "localhost"}, {"--carbon-listen", "'localhost'"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--carbon-listen", "10.0.0.256"}, {"--carbon-listen"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--carbonapi-listen", "any"}, {"--carbonapi-listen", "'any'"});
}

TEST_CASE("bad input: --system-collectd with no collectd in PATH", "[installer][bad-input]") {
  Setup s;
  fs::path empty_bin = s.tmp.path() / "empty-bin";
  fs::create_directory(empty_bin);
  RunOptions options;
  options.env["PATH"] = empty_bin.string();
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "agent", "--hostname", "a.b", "--system-collectd"},
                 {"--system-collectd", "PATH", empty_bin.string()}, options);
}

TEST_CASE("bad input: flags that mean nothing for the install type", "[installer][bad-input]") {
  Setup s;
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "agent", "--carbon-listen", "0.0.0.0"}, {"--carbon-listen", "agent"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "--carbon-server", "mon"}, {"--carbon-server"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "server", "--backends", "b1"}, {"--backends", "port"});
}

TEST_CASE("a broken bundle fails before writing anything", "[installer][bad-input]") {
  Setup s;
  // A template that names a variable the installer does not have.
  write_file_atomic(s.bundle.root / "templates/common/extra.conf", "x = {{no_such_value}}\n");
  std::string before = tree_digest(s.work);
  RunResult r = run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("templates/common/extra.conf:1") && Catch::Contains("no_such_value"));
  CHECK(tree_digest(s.work) == before);
  // A bundle without the binary of a service.
  fs::remove(s.bundle.root / "templates/common/extra.conf");
  fs::remove(s.bundle.root / "bin/carbonapi");
  r = run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600", "-t", "backend"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("bin/carbonapi"));
  CHECK(tree_digest(s.work) == before);
}

TEST_CASE("help documents every flag and exits 0", "[installer][bad-input]") {
  Setup s;
  RunResult r = run_installer(s.bundle, {"--help"});
  CHECK(r.ok());
  for (const char* flag : {"-d", "--directory", "-p", "--port", "-t", "--type", "-u", "--update", "--carbon-listen",
                           "--carbonapi-listen", "--hostname", "--system-collectd", "--carbon-server",
                           "--carbonserver-listen", "--backends", "agent", "frontend", "backend-agent"})
    CHECK_THAT(r.output, Catch::Contains(flag));
  RunResult v = run_installer(s.bundle, {"--version"});
  CHECK(v.ok());
  CHECK_THAT(v.output, Catch::StartsWith("installer "));
}

// Issue 16: every refusal of a migration exits with status 2, says why and what to do,
// and leaves DIR byte-identical (a digest of the whole tree: entries, modes, times,
// contents). The running original is Debian's real supervisord on the original's own
// supervisord.conf (its socket run/svd.sock), started by the original's bin/dkm stand-in.
#include "migrate_fixture.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace dkm;
using namespace dkm::test;

namespace {

/// Runs the migration (prefixed by `prefix`, e.g. setpriv), expects exit 2, every
/// `culprits` text, and DIR exactly as it was.
void expect_migration_refused(const OriginalWorld& w, const std::vector<std::string>& culprits,
                              const std::vector<std::string>& prefix = {}, const std::vector<std::string>& extra = {}) {
  std::string before = tree_digest(w.dir);
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {w.bundle.installer().string(), "-u", "-d", w.dir.string()});
  argv.insert(argv.end(), extra.begin(), extra.end());
  RunResult r = run_process(argv);
  INFO(join(argv, " ") << "\n" << r.output);
  CHECK(r.exit_code == 2);
  for (const auto& c : culprits) CHECK_THAT(r.output, Catch::Contains(c));
  CHECK(tree_digest(w.dir) == before);
}

/// Lets the account nobody read and run the test's files (root's temporary directory is 0700).
const std::vector<std::string> kAsNobody{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
void open_to_nobody(const OriginalWorld& w) {
  for (const fs::path& p : {w.tmp.path(), w.bundle.root, w.dir.parent_path()})
    fs::permissions(p, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
}

}  // namespace

TEST_CASE("refused: the original's supervisord still runs (Debian's real one, on the original's socket)",
          "[migrate][refusal]") {
  OriginalWorld w{original_spec("0.0.4", "all"), false};
  StopOriginalAtEnd stop{w.dir};
  REQUIRE(start_original_and_settle(w.dir));
  REQUIRE(fs::is_socket(w.dir / "run/svd.sock"));
  std::string pid = std::string(trim(read_file(w.dir / "run/svd.pid")));
  expect_migration_refused(w, {"still runs", "supervisord (pid " + pid + ")", (w.dir / "bin/dkm").string() + " stop",
                               "kill " + pid, "svd.sock answers"});
  // A dry run shows the plan, then why it would be refused.
  std::string before = tree_digest(w.dir);
  RunResult dry = w.migrate({"--dry-run"});
  CHECK(dry.exit_code == 2);
  CHECK_THAT(dry.output, Catch::Contains("dry run, nothing changed") && Catch::Contains("would be refused now") &&
                             Catch::Contains("still runs"));
  CHECK(tree_digest(w.dir) == before);

  // Stopped with its own command, the same install migrates.
  REQUIRE(run_original_dkm(w.dir, {"stop"}).ok());
  RunResult r = w.migrate();
  INFO(r.output);
  CHECK(r.ok());
}

TEST_CASE("refused: a config that cannot be read or parsed names the file and line", "[migrate][refusal]") {
  SECTION("unreadable (as the account nobody)") {
    OriginalWorld w{original_spec("0.0.4", "all"), false};
    open_to_nobody(w);
    fs::permissions(w.dir / "conf/go-carbon.conf", fs::perms::none);
    expect_migration_refused(w, {(w.dir / "conf/go-carbon.conf").string(), "cannot read", "Permission denied"},
                             kAsNobody);
  }
  SECTION("not INI") {
    OriginalWorld w{original_spec("0.0.4", "agent"), false};
    write_file_atomic(w.dir / "conf/supervisord.conf",
                      read_file(w.dir / "conf/supervisord.conf") + "\nthis line is not an INI line\n");
    expect_migration_refused(w, {(w.dir / "conf/supervisord.conf").string() + ":", "expected 'key = value'"});
  }
  SECTION("not TOML") {
    OriginalWorld w{original_spec("0.0.4", "backend"), false};
    write_file_atomic(w.dir / "conf/go-carbon.conf", "[tcp]\nlisten = \"0.0.0.0:2003\n");
    expect_migration_refused(w, {(w.dir / "conf/go-carbon.conf").string() + ":2:"});
  }
  SECTION("missing") {
    OriginalWorld w{original_spec("0.0.4", "server"), false};
    fs::remove(w.dir / "conf/grafana.ini");
    expect_migration_refused(w, {(w.dir / "conf/grafana.ini").string() + " is missing"});
  }
}

TEST_CASE("refused: a directory that is neither an install of this toolkit nor the original's", "[migrate][refusal]") {
  OriginalWorld w{original_spec("0.0.4", "all"), false};
  fs::path other = w.tmp.path() / "other";
  fs::create_directories(other / "conf");
  write_file_atomic(other / "conf/supervisord.conf", "[supervisord]\nlogfile = /var/log/x.log\n");
  std::string before = tree_digest(other);
  RunResult r = run_installer(w.bundle, {"-u", "-d", other.string()});
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("holds no install") && Catch::Contains("bin/env-default"));
  CHECK(tree_digest(other) == before);
}

TEST_CASE("refused: root does not migrate an install another account owns", "[migrate][refusal]") {
  if (::geteuid() != 0) return;  // the rule is about root
  OriginalWorld w{original_spec("0.0.4", "agent"), false};
  for (auto it = fs::recursive_directory_iterator(w.dir); it != fs::recursive_directory_iterator(); ++it)
    REQUIRE(::lchown(it->path().c_str(), 65534, 65534) == 0);
  REQUIRE(::lchown(w.dir.c_str(), 65534, 65534) == 0);
  expect_migration_refused(w, {w.dir.string() + " belongs to nobody", "sudo -u nobody"});
}

TEST_CASE("refused: conf.orig-VERSION already there, and a dry run changes nothing", "[migrate][refusal]") {
  OriginalWorld w{original_spec("0.0.4", "backend-agent"), false};
  std::string before = tree_digest(w.dir);
  RunResult dry = w.migrate({"--dry-run"});
  INFO(dry.output);
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.output, Catch::Contains("dry run, nothing changed") && Catch::Contains("removed (last") &&
                             Catch::Contains("pyenv/") && Catch::Contains("Run it: installer -u -d"));
  CHECK(tree_digest(w.dir) == before);
  fs::create_directory(w.dir / "conf.orig-0.0.4");
  expect_migration_refused(w, {(w.dir / "conf.orig-0.0.4").string() + " already exists"});
}

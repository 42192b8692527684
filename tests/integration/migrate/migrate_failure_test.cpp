// Issue 16: a migration is all-or-nothing. The migration's own code runs here, in the
// test's process, on a real original install, with rename(2) made to fail (EIO) at
// each of its steps in turn: every failure leaves DIR holding what it held (same
// entries, modes, contents, link targets; no staging leftover), and the original still
// starts (Debian's supervisord, through its bin/dkm) after the last one. Then the same
// migration, unhindered, succeeds.
#include "migrate_fixture.hpp"

#include <dkm/install/migrate_apply.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <iostream>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("a migration that fails at any rename leaves the original install as it was, and startable",
          "[migrate][failure]") {
  OriginalWorld w{original_spec("0.0.4", "all"), false};
  write_whisper_points(w.dir / "storage/whisper", {w.metric("load.load.relative.shortterm")});
  const auto before = tree_contents(w.dir);
  dkm::Bundle bundle(w.bundle.root);
  dkm::install::OriginalInstall original = dkm::install::read_original_install(dkm::install::DiskOriginalFiles(w.dir), w.dir);
  dkm::install::MigrationFacts facts = dkm::install::find_migration_facts(original, bundle, "1.0.0");
  dkm::install::MigrationPlan plan = dkm::install::plan_migration(original, {}, facts, bundle);

  int failures = 0;
  for (int fail_at = 0;; ++fail_at) {
    int calls = 0;
    auto rename = [&](const fs::path& from, const fs::path& to) {
      if (calls++ == fail_at) {
        errno = EIO;
        return -1;
      }
      return ::rename(from.c_str(), to.c_str());
    };
    try {
      dkm::install::apply_migration(plan, bundle, rename);
    } catch (const Error& e) {
      INFO("rename " << fail_at << " failed: " << e.what());
      CHECK_THAT(e.what(), Catch::Contains("every change was undone"));
      CHECK(tree_contents(w.dir) == before);
      ++failures;
      continue;
    }
    REQUIRE(fail_at > 0);
    break;
  }
  CHECK(failures >= 8);  // conf, conf.orig, static, lib, dashboards, bin: each side of each swap
  std::cout << "migration failed at each of its " << failures << " renames in turn; each time the install was as before\n";
  // Unhindered, it went through.
  CHECK(fs::exists(w.dir / "bin/env"));
  CHECK_FALSE(fs::exists(w.dir / "pyenv"));
}

TEST_CASE("the original still starts after a failed migration", "[migrate][failure]") {
  OriginalWorld w{original_spec("0.0.4", "backend"), false};
  dkm::Bundle bundle(w.bundle.root);
  dkm::install::OriginalInstall original = dkm::install::read_original_install(dkm::install::DiskOriginalFiles(w.dir), w.dir);
  dkm::install::MigrationPlan plan =
      dkm::install::plan_migration(original, {}, dkm::install::find_migration_facts(original, bundle, "1.0.0"), bundle);
  int calls = 0;
  // Fails when the new bin/ would go in place: every other swap was done, and is undone.
  auto rename = [&](const fs::path& from, const fs::path& to) {
    if (to == w.dir / "bin" && from.filename() == "bin") {
      errno = ENOSPC;
      return -1;
    }
    ++calls;
    return ::rename(from.c_str(), to.c_str());
  };
  REQUIRE_THROWS_WITH(dkm::install::apply_migration(plan, bundle, rename), Catch::Contains("No space left on device"));
  CHECK(calls >= 7);
  StopOriginalAtEnd stop{w.dir};
  REQUIRE(start_original_and_settle(w.dir));
  RunResult status = run_original_dkm(w.dir, {"status"});
  INFO(status.output);
  CHECK_THAT(status.output, Catch::Contains("go-carbon") && Catch::Contains("carbonapi") && Catch::Contains("RUNNING"));
}

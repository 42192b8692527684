// Benchmark (skipped unless DKM_BENCH_WHISPER_FILES is set): the time `installer -u`
// takes to migrate an original all install holding N whisper files (small ones: the
// migration never reads their content, only counts and sizes them), and its dry run:
//
//   DKM_BENCH_WHISPER_FILES=20000 ctest --preset dev -R "benchmark: migrating" -V
#include "migrate_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("benchmark: migrating an original install with many whisper files", "[migrate][bench]") {
  long files = std::atol(require_env_or_skip("DKM_BENCH_WHISPER_FILES", "it is a benchmark").c_str());
  OriginalWorld w{original_spec("0.0.4", "all"), false};
  std::string script =
      "import os, sys, whisper\n"
      "root, n = sys.argv[1], int(sys.argv[2])\n"
      "for i in range(n):\n"
      "    d = '%s/collectd/domain/example/host%03d/plugin%02d' % (root, i // 100, i % 100 // 10)\n"
      "    os.makedirs(d, exist_ok=True)\n"
      "    whisper.create('%s/value%d.wsp' % (d, i % 10), [(300, 12)])\n";
  RunResult made = run_process({kDebianPython, "-c", script, (w.dir / "storage/whisper").string(), std::to_string(files)});
  REQUIRE(made.ok());
  auto seconds = [](auto since) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count(); };
  auto start = std::chrono::steady_clock::now();
  RunResult dry = w.migrate({"--dry-run"});
  double dry_s = seconds(start);
  REQUIRE(dry.ok());
  start = std::chrono::steady_clock::now();
  RunResult r = w.migrate();
  double real_s = seconds(start);
  INFO(r.output);
  REQUIRE(r.ok());
  std::cout << "installer -u on an original all install with " << files << " whisper files: dry run " << dry_s
            << " s, migration " << real_s << " s\n";
}

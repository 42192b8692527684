// pack/source_date: the instant a reproducible build stamps.
#include <catch2/catch.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/sha256.hpp>

#include "pack/manifest.hpp"
#include "pack/sbom.hpp"
#include "pack/source_date.hpp"
#include "test_support.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using namespace dkm;
using namespace dkm::pack;

TEST_CASE("SOURCE_DATE_EPOCH wins over the last commit's time", "[pack][source_date]") {
  TempDir dir;
  RunOptions opts;
  opts.cwd = dir.path();
  opts.env = {{"GIT_COMMITTER_DATE", "@1600000000 +0000"}, {"GIT_AUTHOR_DATE", "@1500000000 +0000"},
              {"GIT_AUTHOR_NAME", "t"}, {"GIT_AUTHOR_EMAIL", "t@t"}, {"GIT_COMMITTER_NAME", "t"},
              {"GIT_COMMITTER_EMAIL", "t@t"}};
  REQUIRE(run_process({"git", "init", "-q"}, opts).ok());
  write_file_atomic(dir.path() / "f", "x");
  REQUIRE(run_process({"git", "add", "f"}, opts).ok());
  REQUIRE(run_process({"git", "commit", "-q", "-m", "one"}, opts).ok());
  fs::create_directories(dir.path() / "sub");
  CHECK(last_commit_time(dir.path() / "sub") == 1600000000);

  const char* saved = std::getenv("SOURCE_DATE_EPOCH");
  std::string saved_value = saved ? saved : "";
  ::unsetenv("SOURCE_DATE_EPOCH");
  CHECK(source_date_epoch(dir.path()) == 1600000000);
  ::setenv("SOURCE_DATE_EPOCH", "1234", 1);
  CHECK(source_date_epoch(dir.path()) == 1234);
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  CHECK_THROWS_WITH(source_date_epoch(dir.path()), Catch::Contains("SOURCE_DATE_EPOCH='yesterday'"));
  if (saved) ::setenv("SOURCE_DATE_EPOCH", saved_value.c_str(), 1);
  else ::unsetenv("SOURCE_DATE_EPOCH");

  TempDir plain;
  CHECK_THROWS_WITH(last_commit_time(plain.path()), Catch::Contains("SOURCE_DATE_EPOCH"));
  CHECK(iso8601_utc(1700000000) == "2023-11-14T22:13:20Z");
}

TEST_CASE("a source tree without .git takes the time and commit git archive wrote into cmake/source-date", "[pack][source_date]") {
  TempDir dir;
  ::unsetenv("SOURCE_DATE_EPOCH");
  fs::create_directories(dir.path() / "cmake");
  // As in the repository, before `git archive` fills it: not a date.
  write_file_atomic(source_date_file(dir.path()), "$Format:%ct %H$\n");
  CHECK_FALSE(archived_commit(dir.path()));
  CHECK_THROWS_WITH(source_date_epoch(dir.path()), Catch::Contains("SOURCE_DATE_EPOCH"));
  CHECK_FALSE(project_commit(dir.path()));
  const std::string id(40, 'a');
  write_file_atomic(source_date_file(dir.path()), "1650000000 " + id + "\n");
  CHECK(source_date_epoch(dir.path()) == 1650000000);
  CHECK(project_commit(dir.path()) == id);
  ::setenv("SOURCE_DATE_EPOCH", "1234", 1);
  CHECK(source_date_epoch(dir.path()) == 1234);
  ::unsetenv("SOURCE_DATE_EPOCH");
}

TEST_CASE("the repository's own cmake/source-date is filled by git archive", "[pack][source_date]") {
  CHECK(read_file(test::source_dir() / ".gitattributes").find("cmake/source-date export-subst") != std::string::npos);
  std::string text = read_file(source_date_file(test::source_dir()));
  bool placeholder = text == "$Format:%ct %H$\n";
  bool filled = archived_commit(test::source_dir()).has_value();
  CHECK((placeholder || filled));
}

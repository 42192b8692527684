// The instant a reproducible build stamps: SOURCE_DATE_EPOCH, the last commit, or the archived one.
#include "source_date.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <git2.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

namespace dkm::pack {

int64_t parse_source_date_epoch(const std::string& value) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 18)
    throw UsageError("SOURCE_DATE_EPOCH='" + value + "': expected a number of seconds since 1970-01-01");
  return std::stoll(value);
}

LastCommit last_commit(const fs::path& dir) {
  git_libgit2_init();
  struct Shutdown {
    ~Shutdown() { git_libgit2_shutdown(); }
  } shutdown;
  git_repository* repo = nullptr;
  auto why = [] {
    const git_error* e = git_error_last();
    return std::string(e && e->message ? e->message : "unknown libgit2 error");
  };
  if (git_repository_open_ext(&repo, dir.c_str(), 0, nullptr) != 0)
    throw Error(dir.string() + ": not in a git repository (" + why() +
                "); set SOURCE_DATE_EPOCH to the time to stamp on the bundle");
  git_oid oid;
  git_commit* commit = nullptr;
  int rc = git_reference_name_to_id(&oid, repo, "HEAD");
  if (rc == 0) rc = git_commit_lookup(&commit, repo, &oid);
  if (rc != 0) {
    std::string message = why();
    git_repository_free(repo);
    throw Error(dir.string() + ": cannot read the last commit (" + message +
                "); set SOURCE_DATE_EPOCH to the time to stamp on the bundle");
  }
  LastCommit out;
  out.id = git_oid_tostr_s(&oid);
  out.time = git_commit_time(commit);
  git_commit_free(commit);
  git_repository_free(repo);
  return out;
}

std::string iso8601_utc(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<LastCommit> archived_commit(const fs::path& project_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(source_date_file(project_dir), ec)) return std::nullopt;
  std::istringstream in(read_file(source_date_file(project_dir)));
  LastCommit commit;
  std::string time;
  in >> time >> commit.id;
  if (time.empty() || time.find_first_not_of("0123456789") != std::string::npos || commit.id.size() != 40) return std::nullopt;
  commit.time = std::stoll(time);
  return commit;
}

int64_t source_date_epoch(const fs::path& project_dir) {
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env && *env) return parse_source_date_epoch(env);
  try {
    return last_commit_time(project_dir);
  } catch (const Error&) {
    if (auto archived = archived_commit(project_dir)) return archived->time;
    throw;
  }
}

std::optional<std::string> project_commit(const fs::path& project_dir) {
  try {
    return last_commit(project_dir).id;
  } catch (const Error&) {
    if (auto archived = archived_commit(project_dir)) return archived->id;
    return std::nullopt;
  }
}

}  // namespace dkm::pack

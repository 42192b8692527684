#pragma once
// The one instant a reproducible build stamps on everything it writes: $SOURCE_DATE_EPOCH
// (https://reproducible-builds.org/specs/source-date-epoch/) when set, else the committer
// time of the last commit of the project's git repository (read with libgit2).

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <git2.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

namespace dkm::pack {

/// Parses a SOURCE_DATE_EPOCH value (decimal seconds); throws UsageError naming the variable.
inline int64_t parse_source_date_epoch(const std::string& value) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 18)
    throw UsageError("SOURCE_DATE_EPOCH='" + value + "': expected a number of seconds since 1970-01-01");
  return std::stoll(value);
}

/// The last commit of a repository: its id and committer time.
struct LastCommit {
  std::string id;    ///< 40 hex digits
  int64_t time = 0;  ///< committer time, seconds since the epoch
};

/// The HEAD commit of the repository that holds `dir`; throws Error when there is none.
inline LastCommit last_commit(const fs::path& dir) {
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

/// The committer time of HEAD in the repository that holds `dir`; throws Error when there is none.
inline int64_t last_commit_time(const fs::path& dir) { return last_commit(dir).time; }

/// $SOURCE_DATE_EPOCH if set, else the last commit time of the repository holding `project_dir`.
inline int64_t source_date_epoch(const fs::path& project_dir) {
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env && *env) return parse_source_date_epoch(env);
  return last_commit_time(project_dir);
}

/// An instant as ISO 8601 UTC ("2024-01-02T03:04:05Z"), the form SPDX documents use.
inline std::string iso8601_utc(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace dkm::pack

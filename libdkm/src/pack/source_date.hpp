#pragma once
// The one instant a reproducible build stamps on everything it writes: $SOURCE_DATE_EPOCH
// (https://reproducible-builds.org/specs/source-date-epoch/) when set, else the committer
// time of the last commit of the project's git repository (read with libgit2), else,
// in a tree without .git (`git archive`, a release tarball), the time and commit that
// `git archive` wrote into the project's cmake/source-date (export-subst, .gitattributes).
// Implementation: libdkm/src/pack/source_date.cpp.

#include <dkm/core/files.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace dkm::pack {

/// Parses a SOURCE_DATE_EPOCH value (decimal seconds); throws UsageError naming the variable.
int64_t parse_source_date_epoch(const std::string& value);

/// The last commit of a repository: its id and committer time.
struct LastCommit {
  std::string id;    ///< 40 hex digits
  int64_t time = 0;  ///< committer time, seconds since the epoch
};

/// The HEAD commit of the repository that holds `dir`; throws Error when there is none.
LastCommit last_commit(const fs::path& dir);

/// The committer time of HEAD in the repository that holds `dir`; throws Error when there is none.
inline int64_t last_commit_time(const fs::path& dir) { return last_commit(dir).time; }

/// PROJECT/cmake/source-date: "$Format:%ct %H$" in the repository, filled by `git archive`.
inline fs::path source_date_file(const fs::path& project_dir) { return project_dir / "cmake" / "source-date"; }

/// The last commit `git archive` recorded in the project's source-date file; nothing when
/// the file is missing or not filled (a git checkout).
std::optional<LastCommit> archived_commit(const fs::path& project_dir);

/// $SOURCE_DATE_EPOCH if set, else the last commit time of the repository holding
/// `project_dir`, else the archived one; throws Error saying what to set when there is none.
int64_t source_date_epoch(const fs::path& project_dir);

/// The project's commit: HEAD of its repository, else the archived one; nothing when unknown.
std::optional<std::string> project_commit(const fs::path& project_dir);

/// An instant as ISO 8601 UTC ("2024-01-02T03:04:05Z"), the form SPDX documents use.
std::string iso8601_utc(int64_t epoch);

}  // namespace dkm::pack

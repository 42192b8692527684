#pragma once
// Git sources through libgit2: asking a remote where a branch or tag points, fetching into
// the bare clone of the source cache, checking a commit out into a component's tree.
// Implementation: libdkm/src/pack/git_source.cpp.

#include <dkm/core/files.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dkm::pack {

/// Receives progress lines for the step's log.
using LogLine = std::function<void(const std::string&)>;

/// The commit a ref ("refs/heads/main", "refs/tags/v1") points to on a remote, annotated
/// tags peeled; nullopt when the remote has no such ref. Throws Error naming the URL when
/// the remote cannot be read.
std::optional<std::string> remote_ref_commit(const std::string& url, const std::string& ref);

/// The commit a ref points to in a local repository (peeled); nullopt when the repository
/// or the ref does not exist.
std::optional<std::string> local_ref_commit(const fs::path& repo, const std::string& ref);

/// The committer time of a commit of a local repository, seconds since the epoch. Throws
/// Error naming the repository when it does not hold the commit.
int64_t commit_time(const fs::path& repo, const std::string& commit);

/// True when the repository exists and holds the commit.
bool has_commit(const fs::path& repo, const std::string& commit);

/// Fetches `refspecs` ("+refs/tags/v1:refs/tags/v1") of `url` into the bare repository
/// `repo`, creating it (in a temporary directory renamed into place) when absent; nothing
/// else (no automatic tags). A local repository's objects are copied, or, when the refs'
/// history lacks one (a partial copy), read in place (an alternates line). Throws Error
/// naming the URL.
void fetch_into_cache(const fs::path& repo, const std::string& url, const std::vector<std::string>& refspecs,
                      const LogLine& log);

/// Makes `dir` (which must not exist) a work tree of `commit` from the bare cache `cache`:
/// a repository borrowing the cache's objects, HEAD detached at the commit, the cache's tags
/// copied (so `git describe` works), the files checked out.
void checkout_commit(const fs::path& cache, const std::string& commit, const fs::path& dir, const std::string& origin_url);

}  // namespace dkm::pack

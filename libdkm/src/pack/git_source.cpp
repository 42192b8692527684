// libgit2 behind the four operations dkmpack needs.
#include <dkm/pack/git_source.hpp>

#include <dkm/core/error.hpp>

#include <git2.h>

#include <memory>
#include <mutex>
#include <vector>

namespace dkm::pack {

namespace {

void ensure_init() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;

std::string oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

RepoPtr open_repo(const fs::path& path) {
  ensure_init();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) return nullptr;
  return RepoPtr(repo);
}

std::optional<std::string> peel_to_commit(git_repository* repo, const std::string& spec) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, (spec + "^{commit}").c_str()) != 0) return std::nullopt;
  ObjectPtr owned(obj);
  return oid_hex(*git_object_id(obj));
}

struct FetchProgress {
  const LogLine* log;
  int last_percent = -10;
};

int on_transfer(const git_indexer_progress* stats, void* payload) {
  auto* p = static_cast<FetchProgress*>(payload);
  if (stats->total_objects == 0) return 0;
  int percent = static_cast<int>(100.0 * stats->received_objects / stats->total_objects);
  if (percent >= p->last_percent + 10 || stats->received_objects == stats->total_objects) {
    if (percent == p->last_percent) return 0;
    p->last_percent = percent;
    (*p->log)("received " + std::to_string(stats->received_objects) + "/" + std::to_string(stats->total_objects) +
              " objects (" + std::to_string(stats->received_bytes / 1024) + " KiB)");
  }
  return 0;
}

}  // namespace

std::optional<std::string> remote_ref_commit(const std::string& url, const std::string& ref) {
  ensure_init();
  git_remote* raw = nullptr;
  if (git_remote_create_detached(&raw, url.c_str()) != 0) throw Error(url + ": " + last_git_error());
  RemotePtr remote(raw);
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  proxy.type = GIT_PROXY_AUTO;
  if (git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, &proxy, nullptr) != 0)
    throw Error("cannot read " + url + ": " + last_git_error());
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, remote.get()) != 0) throw Error("cannot list " + url + ": " + last_git_error());
  std::optional<std::string> plain, peeled;
  for (size_t i = 0; i < count; ++i) {
    std::string name = heads[i]->name;
    if (name == ref) plain = oid_hex(heads[i]->oid);
    if (name == ref + "^{}") peeled = oid_hex(heads[i]->oid);
  }
  git_remote_disconnect(remote.get());
  return peeled ? peeled : plain;
}

std::optional<std::string> local_ref_commit(const fs::path& repo_path, const std::string& ref) {
  std::error_code ec;
  if (!fs::exists(repo_path, ec)) return std::nullopt;
  RepoPtr repo = open_repo(repo_path);
  if (!repo) return std::nullopt;
  return peel_to_commit(repo.get(), ref);
}

bool has_commit(const fs::path& repo_path, const std::string& commit) {
  std::error_code ec;
  if (!fs::exists(repo_path, ec)) return false;
  RepoPtr repo = open_repo(repo_path);
  if (!repo) return false;
  git_oid oid;
  if (git_oid_fromstr(&oid, commit.c_str()) != 0) return false;
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, repo.get(), &oid, GIT_OBJECT_COMMIT) != 0) return false;
  git_object_free(obj);
  return true;
}

void fetch_into_cache(const fs::path& repo_path, const std::string& url, const LogLine& log) {
  ensure_init();
  std::error_code ec;
  fs::path target = repo_path;
  bool fresh = !fs::exists(repo_path, ec);
  if (fresh) {
    // A first clone goes to a temporary directory so a killed fetch leaves no half cache.
    target = repo_path.parent_path() / (repo_path.filename().string() + ".tmp");
    fs::remove_all(target, ec);
    fs::create_directories(repo_path.parent_path());
    git_repository* raw = nullptr;
    if (git_repository_init(&raw, target.c_str(), 1) != 0) throw Error(target.string() + ": " + last_git_error());
    git_repository_free(raw);
  }
  RepoPtr repo = open_repo(target);
  if (!repo) throw Error(target.string() + ": cannot open the cached clone: " + last_git_error());
  git_remote* raw_remote = nullptr;
  if (git_remote_create_anonymous(&raw_remote, repo.get(), url.c_str()) != 0) throw Error(url + ": " + last_git_error());
  RemotePtr remote(raw_remote);
  FetchProgress progress{&log};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks.transfer_progress = on_transfer;
  options.callbacks.payload = &progress;
  options.proxy_opts.type = GIT_PROXY_AUTO;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // the refspec below takes them all
  char heads[] = "+refs/heads/*:refs/heads/*";
  char tags[] = "+refs/tags/*:refs/tags/*";
  char* specs[] = {heads, tags};
  git_strarray refspecs = {specs, 2};
  log("fetching " + url + " into " + repo_path.string());
  if (git_remote_fetch(remote.get(), &refspecs, &options, "dkmpack fetch") != 0)
    throw Error("cannot fetch " + url + ": " + last_git_error());
  repo.reset();
  if (fresh) fs::rename(target, repo_path);
}

void checkout_commit(const fs::path& cache, const std::string& commit, const fs::path& dir, const std::string& origin_url) {
  ensure_init();
  git_repository* raw = nullptr;
  if (git_repository_init(&raw, dir.c_str(), 0) != 0) throw Error(dir.string() + ": " + last_git_error());
  git_repository_free(raw);
  // Borrow the cache's objects (like `git clone --shared`): nothing is copied.
  write_file_atomic(dir / ".git" / "objects" / "info" / "alternates", (fs::absolute(cache) / "objects").string() + "\n");
  RepoPtr repo = open_repo(dir);
  RepoPtr cache_repo = open_repo(cache);
  if (!repo || !cache_repo) throw Error(dir.string() + ": " + last_git_error());

  struct TagCopy {
    git_repository* from;
    git_repository* to;
  } copy{cache_repo.get(), repo.get()};
  git_reference_foreach_name(
      cache_repo.get(),
      [](const char* name, void* payload) -> int {
        auto* c = static_cast<TagCopy*>(payload);
        if (std::string_view(name).rfind("refs/tags/", 0) != 0) return 0;
        git_oid oid;
        if (git_reference_name_to_id(&oid, c->from, name) != 0) return 0;
        git_reference* ref = nullptr;
        if (git_reference_create(&ref, c->to, name, &oid, 1, nullptr) == 0) git_reference_free(ref);
        return 0;
      },
      &copy);
  if (!origin_url.empty()) {
    git_remote* origin = nullptr;
    if (git_remote_create(&origin, repo.get(), "origin", origin_url.c_str()) == 0) git_remote_free(origin);
  }

  git_oid oid;
  if (git_oid_fromstr(&oid, commit.c_str()) != 0) throw Error(commit + ": not a commit id");
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, repo.get(), &oid, GIT_OBJECT_COMMIT) != 0)
    throw Error("commit " + commit + " is not in " + cache.string() + ": " + last_git_error());
  ObjectPtr owned(obj);
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  options.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_tree(repo.get(), obj, &options) != 0)
    throw Error("cannot check out " + commit + " into " + dir.string() + ": " + last_git_error());
  if (git_repository_set_head_detached(repo.get(), &oid) != 0)
    throw Error("cannot set HEAD in " + dir.string() + ": " + last_git_error());
}

}  // namespace dkm::pack

// libgit2 behind the four operations dkmpack needs.
#include "git_source.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

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

/// The path of a repository on this machine (a path or a file:// URL); nullopt for a remote.
std::optional<fs::path> local_repository(const std::string& location) {
  if (location.rfind("file://", 0) == 0) return fs::path(location.substr(7));
  if (location.find("://") != std::string::npos) return std::nullopt;
  size_t colon = location.find(':');
  size_t slash = location.find('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) return std::nullopt;  // host:path
  return fs::path(location);
}

/// "+refs/tags/*:refs/tags/*" → {"refs/tags/*", "refs/tags/*"}.
std::pair<std::string, std::string> split_refspec(std::string spec) {
  if (!spec.empty() && spec.front() == '+') spec.erase(0, 1);
  size_t colon = spec.find(':');
  if (colon == std::string::npos) return {spec, spec};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

/// Makes `dest` read the objects of `src` in place, like `git clone --shared`: a line in
/// its objects/info/alternates (kept for later runs) and the same alternate added to the
/// object database already open.
void borrow_objects(git_repository* dest, git_repository* src) {
  fs::path objects = (fs::absolute(git_repository_path(src)) / "objects").lexically_normal();
  fs::path alternates = fs::path(git_repository_path(dest)) / "objects" / "info" / "alternates";
  std::error_code ec;
  std::string lines = fs::exists(alternates, ec) ? read_file(alternates) : "";
  if (("\n" + lines).find("\n" + objects.string() + "\n") == std::string::npos)
    write_file_atomic(alternates, lines + objects.string() + "\n");
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, dest) != 0) throw Error(last_git_error());
  std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>> odb(raw_odb);
  if (git_odb_add_disk_alternate(odb.get(), objects.c_str()) != 0)
    throw Error("cannot read the objects of " + objects.string() + ": " + last_git_error());
}

/// A ref to create in the cache and the object it points to.
struct WantedRef {
  std::string dest_name;
  git_oid oid;
};

/// The refs `refspecs` name in the local repository `src` (at `source`), globs expanded,
/// with the names they get in the cache.
std::vector<WantedRef> wanted_refs(git_repository* src, const fs::path& source, const std::vector<std::string>& refspecs) {
  std::vector<WantedRef> wanted;
  for (const auto& spec : refspecs) {
    auto [from, to] = split_refspec(spec);
    size_t star = from.find('*');
    if (star == std::string::npos) {
      git_oid oid;
      if (git_reference_name_to_id(&oid, src, from.c_str()) != 0)
        throw Error("cannot fetch " + source.string() + ": it has no " + from);
      wanted.push_back({to, oid});
      continue;
    }
    struct Glob {
      git_repository* repo;
      std::string prefix, to;
      std::vector<WantedRef>* out;
    } glob{src, from.substr(0, star), to, &wanted};
    git_reference_foreach_glob(
        src, from.c_str(),
        [](const char* name, void* payload) -> int {
          auto* g = static_cast<Glob*>(payload);
          git_oid oid;
          if (git_reference_name_to_id(&oid, g->repo, name) != 0) return 0;
          std::string rest = std::string(name).substr(g->prefix.size());
          std::string target = g->to;
          size_t at = target.find('*');
          if (at != std::string::npos) target.replace(at, 1, rest);
          g->out->push_back({target, oid});
          return 0;
        },
        &glob);
  }
  return wanted;
}

using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using PackbuilderPtr = std::unique_ptr<git_packbuilder, Deleter<git_packbuilder, git_packbuilder_free>>;

/// Starts `walk` at the commits of `wanted` (tags go into `pack` themselves) and hides
/// what the cache `dest` already has.
void start_walk(git_revwalk* walk, git_packbuilder* pack, git_repository* src, git_repository* dest,
                const fs::path& source, const std::vector<WantedRef>& wanted) {
  for (const auto& w : wanted) {
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, src, &w.oid, GIT_OBJECT_ANY) != 0) throw Error(source.string() + ": " + last_git_error());
    ObjectPtr owned(obj);
    git_object* peeled = nullptr;
    if (git_object_type(obj) == GIT_OBJECT_TAG && git_packbuilder_insert(pack, &w.oid, w.dest_name.c_str()) != 0)
      throw Error(source.string() + ": " + last_git_error());
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) continue;  // a tag of a tree or blob: rare, skipped
    ObjectPtr owned_peeled(peeled);
    if (git_revwalk_push(walk, git_object_id(peeled)) != 0) throw Error(source.string() + ": " + last_git_error());
  }
  // What the cache already has need not be copied again.
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, dest) == 0) {
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, it) == 0) {
      const git_oid* target = git_reference_target(ref);
      git_object* obj = nullptr;
      if (target && git_object_lookup(&obj, src, target, GIT_OBJECT_COMMIT) == 0) {
        git_revwalk_hide(walk, target);
        git_object_free(obj);
      }
      git_reference_free(ref);
    }
    git_reference_iterator_free(it);
  }
}

/// Writes the objects of `pack` into the object database of `dest`.
void write_pack(git_repository* dest, git_packbuilder* pack, const fs::path& source) {
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, dest) != 0) throw Error(last_git_error());
  std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>> odb(raw_odb);
  git_odb_writepack* writer = nullptr;
  if (git_odb_write_pack(&writer, odb.get(), nullptr, nullptr) != 0) throw Error(last_git_error());
  struct Sink {
    git_odb_writepack* writer;
    git_indexer_progress stats;
  } sink{writer, {}};
  int rc = git_packbuilder_foreach(
      pack,
      [](void* buf, size_t size, void* payload) -> int {
        auto* k = static_cast<Sink*>(payload);
        return k->writer->append(k->writer, buf, size, &k->stats);
      },
      &sink);
  if (rc == 0) rc = writer->commit(writer, &sink.stats);
  writer->free(writer);
  if (rc != 0) throw Error("cannot fetch " + source.string() + ": " + last_git_error());
}

/// Copies into `dest` the objects reachable from the refs `refspecs` name in the local
/// repository `source`, and creates those refs. libgit2's local transport would copy the
/// objects of every ref instead (all branches of a large mirror, and it fails when an
/// unrelated one is damaged). When the refs' own history lacks an object, the objects are
/// borrowed in place instead (borrow_objects).
void copy_local_refs(git_repository* dest, const fs::path& source, const std::vector<std::string>& refspecs,
                     const LogLine& log) {
  RepoPtr src = open_repo(source);
  if (!src) throw Error("cannot read " + source.string() + ": not a git repository (" + last_git_error() + ")");
  std::vector<WantedRef> wanted = wanted_refs(src.get(), source, refspecs);

  git_revwalk* raw_walk = nullptr;
  git_packbuilder* raw_pack = nullptr;
  if (git_revwalk_new(&raw_walk, src.get()) != 0 || git_packbuilder_new(&raw_pack, src.get()) != 0)
    throw Error(source.string() + ": " + last_git_error());
  RevwalkPtr walk(raw_walk);
  PackbuilderPtr pack(raw_pack);
  start_walk(walk.get(), pack.get(), src.get(), dest, source, wanted);
  int walked = git_packbuilder_insert_walk(pack.get(), walk.get());
  if (walked == GIT_ENOTFOUND) {
    // The history lacks an object: a partial copy of a repository, like snapshots that
    // leave large files of old commits out. Reading the source's objects in place still
    // serves every commit whose tree it holds.
    log("the history in " + source.string() + " lacks an object (" + last_git_error() +
        "): borrowing its objects in place instead of copying them (the cache needs it to stay)");
    borrow_objects(dest, src.get());
  } else if (walked != 0) {
    throw Error("cannot fetch " + source.string() + ": " + last_git_error());
  } else if (git_packbuilder_object_count(pack.get()) == 0) {
    log("copying 0 objects from " + source.string());
  } else {
    log("copying " + std::to_string(git_packbuilder_object_count(pack.get())) + " objects from " + source.string());
    write_pack(dest, pack.get(), source);
  }
  for (const auto& w : wanted) {
    git_reference* ref = nullptr;
    if (git_reference_create(&ref, dest, w.dest_name.c_str(), &w.oid, 1, "dkmpack fetch") != 0)
      throw Error("cannot update " + w.dest_name + ": " + last_git_error());
    git_reference_free(ref);
  }
}

}  // namespace

std::optional<std::string> remote_ref_commit(const std::string& url, const std::string& ref) {
  ensure_init();
  if (auto local = local_repository(url)) {
    // A repository on this machine is read directly: no transport, nothing listed but the ref.
    RepoPtr repo = open_repo(*local);
    if (!repo) throw Error("cannot read " + url + ": not a git repository");
    return peel_to_commit(repo.get(), ref);
  }
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

int64_t commit_time(const fs::path& repo_path, const std::string& commit) {
  RepoPtr repo = open_repo(repo_path);
  if (!repo) throw Error(repo_path.string() + ": not a git repository");
  git_oid oid;
  git_commit* c = nullptr;
  if (git_oid_fromstr(&oid, commit.c_str()) != 0 || git_commit_lookup(&c, repo.get(), &oid) != 0)
    throw Error(repo_path.string() + ": no commit " + commit + " (" + last_git_error() + ")");
  int64_t time = git_commit_time(c);
  git_commit_free(c);
  return time;
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

void fetch_into_cache(const fs::path& repo_path, const std::string& url, const std::vector<std::string>& refspecs,
                      const LogLine& log) {
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
  if (auto local = local_repository(url)) {
    log("fetching " + join(refspecs, " ") + " from " + url + " into " + repo_path.string());
    copy_local_refs(repo.get(), *local, refspecs, log);
    repo.reset();
    if (fresh) publish_directory(target, repo_path);
    return;
  }
  git_remote* raw_remote = nullptr;
  if (git_remote_create_anonymous(&raw_remote, repo.get(), url.c_str()) != 0) throw Error(url + ": " + last_git_error());
  RemotePtr remote(raw_remote);
  FetchProgress progress{&log};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks.transfer_progress = on_transfer;
  options.callbacks.payload = &progress;
  options.proxy_opts.type = GIT_PROXY_AUTO;
  // Exactly the refspecs: libgit2's automatic tag following asks for every tag's objects.
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  std::vector<std::string> specs_text = refspecs;
  std::vector<char*> specs;
  for (auto& spec : specs_text) specs.push_back(spec.data());
  git_strarray specs_array = {specs.data(), specs.size()};
  log("fetching " + join(refspecs, " ") + " from " + url + " into " + repo_path.string());
  if (git_remote_fetch(remote.get(), &specs_array, &options, "dkmpack fetch") != 0)
    throw Error("cannot fetch " + url + ": " + last_git_error());
  repo.reset();
  if (fresh) publish_directory(target, repo_path);
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

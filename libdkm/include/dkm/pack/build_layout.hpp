#pragma once
// Where dkmpack keeps things in its build directory (default build/dkmpack). The bundle
// assembly reads NAME/install/ and NAME/source.json of every component built.
//
//   B/build.ninja              generated each run (rewritten only when it changes)
//   B/build.log                every step's output, line by line, prefixed "NAME: STEP | "
//   B/.dkmpack                 link to the dkmpack that generated build.ninja (its step executor)
//   B/.lock                    held (flock) by the running dkmpack and everything it started
//   B/cache/git/NAME.git       bare clone, reused by later builds
//   B/cache/archives/NAME/FILE downloaded archives, verified against their sha256
//   B/cache/go/ B/cache/npm/   GOPATH, GOCACHE, GOMODCACHE; npm and yarn caches
//   B/cache/toolchains.json    versions of the toolchains seen (keyed by path, size, mtime)
//   B/NAME/plan.json           what the steps of NAME run (written by dkmpack, read by the steps)
//   B/NAME/keys/STEP.key       hash of every input of STEP; rewritten only when it changes
//   B/NAME/stamps/STEP         written last when STEP succeeds (content: the key it ran with)
//   B/NAME/stamps/STEP.running present while STEP runs; left behind, the run was killed
//   B/NAME/stamps/STEP.failed  STEP failed in the last run (content: its log's path)
//   B/NAME/logs/STEP.log       the output of STEP's last run
//   B/NAME/src/                the source tree: checkout, extracted archive or copy, patched
//   B/NAME/src.new/            the source tree being prepared (renamed to src/ when ready)
//   B/NAME/commit_time         the source's time, seconds since the epoch (${commit_time},
//                              SOURCE_DATE_EPOCH of the later steps), written by the patch step
//   B/NAME/out/                go builder: the binary before install
//   B/NAME/install/            the installed files (DESTDIR, bin/OUTPUT, the npm output);
//                              complete only when stamps/install exists (installed())
//   B/NAME/source.json         name, version, license, resolved source (see source_record.hpp)
//   B/bundle/                  the staged bundle and CPack's files (assemble.hpp)
//
// B/NAME/ sits beside dkmpack's own entries: no component may be named after one of them.
// Implementation: libdkm/src/pack/build_layout.cpp.

#include <dkm/core/files.hpp>
#include <dkm/pack/step.hpp>

#include <array>
#include <string>
#include <string_view>

namespace dkm::pack {

/// The paths of one dkmpack build directory.
class BuildLayout {
 public:
  /// A layout rooted at `root` (made absolute; not required to exist).
  explicit BuildLayout(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
    if (!root_.has_filename()) root_ = root_.parent_path();
  }

  /// The build directory itself.
  const fs::path& root() const { return root_; }
  /// The generated ninja file.
  fs::path ninja_file() const { return root_ / "build.ninja"; }
  /// The combined log of every step.
  fs::path build_log() const { return root_ / "build.log"; }
  /// The lock held during a run.
  fs::path lock_file() const { return root_ / ".lock"; }
  /// The link to the step executor that build.ninja calls.
  fs::path self_link() const { return root_ / ".dkmpack"; }

  /// Downloads, clones and toolchain caches shared by every component.
  fs::path cache() const { return root_ / "cache"; }
  /// The bare clone of a git component.
  fs::path git_cache(const std::string& name) const { return cache() / "git" / (name + ".git"); }
  /// A component's downloaded archive.
  fs::path archive_cache(const std::string& name, const std::string& file_name) const {
    return cache() / "archives" / name / file_name;
  }
  /// GOPATH (GOMODCACHE is GOPATH/pkg/mod).
  fs::path go_path() const { return cache() / "go" / "path"; }
  /// GOCACHE.
  fs::path go_build_cache() const { return cache() / "go" / "build"; }
  /// npm's cache (npm_config_cache) and yarn's.
  fs::path npm_cache() const { return cache() / "npm"; }
  /// The toolchain version cache.
  fs::path toolchain_cache() const { return cache() / "toolchains.json"; }

  /// Everything of one component.
  fs::path component(const std::string& name) const { return root_ / name; }
  /// The component's source tree (checked out, extracted or copied, then patched).
  fs::path source_dir(const std::string& name) const { return component(name) / "src"; }
  /// The source tree while the patch step prepares it.
  fs::path new_source_dir(const std::string& name) const { return component(name) / "src.new"; }
  /// The source's time as the patch step found it (${commit_time}).
  fs::path commit_time_file(const std::string& name) const { return component(name) / "commit_time"; }
  /// The go builder's output directory.
  fs::path out_dir(const std::string& name) const { return component(name) / "out"; }
  /// The component's installed files, what assembly stages from.
  fs::path install_dir(const std::string& name) const { return component(name) / "install"; }
  /// The component's source record (source_record.hpp).
  fs::path source_record(const std::string& name) const { return component(name) / "source.json"; }
  /// What the steps run.
  fs::path plan_file(const std::string& name) const { return component(name) / "plan.json"; }
  /// The key of one step (relative form for build.ninja: relative_key_file).
  fs::path key_file(const std::string& name, Step step) const { return root_ / relative_key_file(name, step); }
  /// The stamp of one step.
  fs::path stamp(const std::string& name, Step step) const { return root_ / relative_stamp(name, step); }
  /// Present while a step runs.
  fs::path running_marker(const std::string& name, Step step) const {
    return component(name) / "stamps" / (std::string(to_string(step)) + ".running");
  }
  /// Present when a step failed in the last run.
  fs::path failed_marker(const std::string& name, Step step) const {
    return component(name) / "stamps" / (std::string(to_string(step)) + ".failed");
  }
  /// The log of one step.
  fs::path step_log(const std::string& name, Step step) const {
    return component(name) / "logs" / (std::string(to_string(step)) + ".log");
  }

  /// NAME/keys/STEP.key, relative to the build directory.
  static std::string relative_key_file(const std::string& name, Step step) {
    return name + "/keys/" + std::string(to_string(step)) + ".key";
  }
  /// NAME/stamps/STEP, relative to the build directory.
  static std::string relative_stamp(const std::string& name, Step step) {
    return name + "/stamps/" + std::string(to_string(step));
  }

  /// The names of the build directory's own entries, which no component may take (dot
  /// files are no component names anyway).
  static const std::array<std::string_view, 4>& own_entries() {
    static constexpr std::array<std::string_view, 4> names = {"cache", "build.ninja", "build.log", "bundle"};
    return names;
  }

  /// True when the component's install step has succeeded and its files are there.
  bool installed(const std::string& name) const;

 private:
  fs::path root_;
};

}  // namespace dkm::pack

#pragma once
// The fetch and patch steps: getting a component's source into the cache, then making a
// fresh, patched source tree from it.
// Implementation: libdkm/src/pack/sources.cpp.

#include <dkm/pack/build_layout.hpp>

#include "builders.hpp"
#include "plan.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace dkm::pack {

/// Receives a line for the step's log.
using StepLogLine = std::function<void(const std::string&)>;
/// The newest modification time (seconds) of the files under `dir`, `.git` left out; 0 for
/// a tree without files.
int64_t newest_mtime(const fs::path& dir);

/// The source time the patch step recorded (NAME/commit_time); throws Error when absent.
int64_t read_commit_time(const BuildLayout& layout, const std::string& name);

/// Runs an action, logging it; throws Error when it fails.
using ActionRunner = std::function<void(const Action&)>;

/// The fetch step. git: fetches into BUILD/cache/git/NAME.git unless the commit is there,
/// then checks the commit (and a pinned tag) resolves as planned. archive: downloads (or
/// copies from the mirror) into BUILD/cache/archives/NAME/FILE and verifies its sha256,
/// deleting it on a mismatch. path: checks the directory exists.
void fetch_source(const ComponentPlan& plan, const BuildLayout& layout, const StepLogLine& log);

/// The patch step: NAME/src.new from the cache (checkout, extraction after verifying the
/// sha256, or copy), the recipe's patches applied in order with `patch -p1`, the license
/// files checked, then renamed to NAME/src; NAME/commit_time gets the source's time:
/// git: the commit's committer time; archive: the newest modification time of its entries;
/// path: the newest modification time of the directory's files (.git left out).
/// Patches do not change it.
void prepare_source_tree(const ComponentPlan& plan, const BuildLayout& layout, const StepLogLine& log,
                         const ActionRunner& run);

}  // namespace dkm::pack

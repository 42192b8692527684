#pragma once
// Running one step of one component: what build.ninja's edges call
// (`dkmpack step --build-dir B NAME STEP`). The step reads NAME/plan.json and its key,
// marks itself running, logs to NAME/logs/STEP.log and to build.log, and writes its stamp
// last. A failure prints the log's last lines and path; a run killed mid-step leaves the
// running marker, which the next run turns into a rebuild from a fresh source tree.
// configure, build and install run with SOURCE_DATE_EPOCH set to the source's time
// (NAME/commit_time, unless the recipe's [env] sets it), which also fills ${commit_time}.
// Implementation: libdkm/src/pack/step_runner.cpp.

#include <dkm/pack/build_layout.hpp>

#include <iosfwd>
#include <string>

namespace dkm::pack {

/// How a step runs.
struct StepOptions {
  int jobs = 1;          ///< make -j and ${jobs}
  bool verbose = false;  ///< echo the step's whole log on stdout (ninja shows it after the step)
  size_t tail_lines = 25;  ///< lines of the log shown when the step fails
};

/// Runs one step; returns the process exit code (0, or 1 when the step failed). Messages
/// for the user go to `out`.
int run_step(const BuildLayout& layout, const std::string& name, Step step, const StepOptions& options, std::ostream& out);

}  // namespace dkm::pack

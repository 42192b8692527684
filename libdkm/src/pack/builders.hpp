#pragma once
// Builders: what the configure, build and install steps run for each build system.
// Choices that depend on the source tree (vendor/, a lock file, a configure script) are
// made here, when the step runs, from the tree as it is then. A recipe with several
// [[build]] tables runs, in each step, the actions of every build in file order.
//
//   generate   (any system) configure: make TARGET... in the source tree, first
//
//   go         configure: nothing; build: go build -buildvcs=false [-mod=vendor]
//              [-tags] [-ldflags] -o NAME/out/OUTPUT PACKAGE (CGO_ENABLED from cgo);
//              install: NAME/out/OUTPUT → install/bin/OUTPUT
//   npm        configure: npm ci (lock file) or npm install; yarn install --immutable
//              (yarn 1 without .yarnrc.yml: --frozen-lockfile); build: npm|yarn run SCRIPT;
//              install: OUTPUT/ → install/DESTINATION/
//   autotools  configure: bootstrap argv, else autoreconf -fi without ./configure, then
//              ./configure --prefix=PREFIX ARGS; build: make -jJOBS ARGS;
//              install: make install DESTDIR=install ARGS
//   command    each argv of the step's list, in the source tree
// Implementation: libdkm/src/pack/builders.cpp.

#include <dkm/pack/build_layout.hpp>

#include "plan.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dkm::pack {

/// One thing a step does: a program to run, or an operation dkmpack performs itself.
struct Action {
  std::vector<std::string> argv;             ///< program and arguments; empty for an internal action
  fs::path cwd;                              ///< where the program runs
  std::map<std::string, std::string> env;    ///< set for this program only
  std::string description;                   ///< internal action: what it does, for the log
  std::function<void()> run;                 ///< internal action

  /// The action as the log shows it: "$ cd DIR && A=1 prog args" or "# description".
  std::string display() const;
};

/// The actions of `step` (configure, build or install) of every build of the plan, in
/// order. `jobs` fills ${jobs} and make's -j; `step_variables` fills the other placeholders
/// left for the step (${commit_time}).
std::vector<Action> builder_actions(const ComponentPlan& plan, Step step, const BuildLayout& layout, int jobs,
                                    const Variables& step_variables = {});

/// Copies a directory's content into another (created), keeping symlinks and modes.
void copy_tree(const fs::path& from, const fs::path& to);

}  // namespace dkm::pack

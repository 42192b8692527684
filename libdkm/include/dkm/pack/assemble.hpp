#pragma once
// Bundle assembly, after the components are built: stage NAME-VERSION/ from their
// installed files and the project's own (front ends, dist/, licenses), check its health,
// describe it (manifest.json, SBOM), and put it in place atomically. The stage is built
// in a temporary directory beside its final place and swapped in only when complete, so
// a failure (a health violation, a missing file) leaves the previous stage untouched.
//
//   BUILD/bundle/NAME-VERSION/           the stage (what the archive and packages hold)
//   BUILD/bundle/cpack-settings.cmake    what CPack packages (see packaging.hpp)
//
// The stage's layout is core/bundle_layout.hpp's, the one the installer reads.
// Implementation: libdkm/src/pack/assemble.cpp.

#include <dkm/core/files.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/health.hpp>
#include <dkm/pack/packaging.hpp>
#include <dkm/pack/recipe.hpp>

#include <cstdint>
#include <ostream>
#include <string>

namespace dkm::pack {

/// How to assemble.
struct AssemblyOptions {
  fs::path project_dir;                       ///< holds dist/ and LICENSE (default: the recipes directory's parent)
  fs::path tools_dir;                         ///< holds installer, dkm and dkmadmin
  std::string project_license = "Apache-2.0"; ///< SPDX expression of the project's LICENSE
  std::string tool = "dkmpack";               ///< the SBOM's creator ("dkmpack-0.1.0")
  std::ostream* progress = nullptr;           ///< one line per phase, when set
};

/// What assembly produced.
struct AssembledBundle {
  StagedBundle staged;        ///< name, version, stage, epoch, arch, license
  fs::path settings;          ///< BUILD/bundle/cpack-settings.cmake
  HealthReport health;        ///< the (passed) health check
  size_t files = 0;           ///< files in the stage
  uint64_t bytes = 0;         ///< their total size
};

/// BUILD/bundle: the stage, the CPack settings and CPack's work area.
inline fs::path bundle_dir(const BuildLayout& build) { return build.root() / "bundle"; }
/// BUILD/bundle/cpack-settings.cmake.
inline fs::path cpack_settings_file(const BuildLayout& build) { return bundle_dir(build) / "cpack-settings.cmake"; }

/// Stages, checks and describes the bundle of `recipes` (bundle.toml required) from what is
/// built in `build`; returns where it is. Throws Error (nothing changed) on any fault.
AssembledBundle assemble_bundle(const RecipeSet& recipes, const BuildLayout& build, const AssemblyOptions& opt);

}  // namespace dkm::pack

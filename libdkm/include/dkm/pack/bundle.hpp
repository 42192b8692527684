#pragma once
// dkmpack's assembly phase, after the components are built (or with --skip-build, from
// what is built): assemble the stage (assemble.hpp), then, unless --skip-archive, package
// it through CPack (packaging.hpp) into the dist directory.
// Implementation: libdkm/src/pack/bundle.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/assemble.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/packaging.hpp>
#include <dkm/pack/recipe.hpp>

#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

namespace dkm::pack {

/// What the assembly phase needs from dkmpack's command line.
struct BundleRequest {
  fs::path recipes_dir;     ///< --recipes
  fs::path build_dir;       ///< --build-dir
  fs::path dist_dir;        ///< --dist-dir: where the archive and packages go
  fs::path project_dir;     ///< --project-dir: dist/ and LICENSE (empty: the recipes directory's parent)
                            ///< (dkmpack passes its own source tree by default)
  fs::path tools_dir;       ///< --tools-dir: installer, dkm, dkmadmin (empty: dkmpack's own directory)
  fs::path self;            ///< the dkmpack executable (CPack runs it to write the archive)
  fs::path cmake_dir;       ///< holds DkmBundleCPack.cmake and DkmBundleArchive.cmake
  bool skip_archive = false;///< --skip-archive: stop at the staged directory
  std::string tool = "dkmpack";  ///< "dkmpack-VERSION", the SBOM's creator
};

/// A size for people: "12.3 MiB".
std::string human_size(uint64_t bytes);

/// Assembles (and unless skip_archive, packages) the bundle; progress and results on `out`.
/// Throws Error naming the fault; returns the process exit code otherwise.
int assemble_and_package(const BundleRequest& req, std::ostream& out);

}  // namespace dkm::pack

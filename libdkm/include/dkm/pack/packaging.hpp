#pragma once
// Packaging a staged bundle through CPack. dkmpack writes two small CMake files in
// BUILD/bundle/ and runs cpack on the second:
//   cpack-settings.cmake  what was staged (name, version, stage, epoch, arch, license);
//                         also what `cpack --preset release` reads (cmake/DkmPackaging.cmake)
//   CPackConfig.cmake     generators External (the reproducible tar.gz), DEB and RPM, with
//                         cmake/DkmBundleCPack.cmake as the project config both routes share
// CPack works in BUILD/bundle/cpack/; the archive is written straight into the dist
// directory under a temporary name (DkmBundleArchive.cmake), the .deb and .rpm are moved
// there the same way, so the dist directory never holds a half-written package.
// Implementation: libdkm/src/pack/packaging.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/pack/archive.hpp>

#include <sys/utsname.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace dkm::pack {

/// What was staged, as the packaging needs it.
struct StagedBundle {
  std::string name;      ///< bundle name ("dkumonitor")
  std::string version;   ///< bundle version
  std::string arch;      ///< machine name in the archive's name ("x86_64")
  std::string license;   ///< the project's own license (SPDX), for the .rpm
  fs::path stage;        ///< BUILD/bundle/NAME-VERSION
  int64_t epoch = 0;     ///< SOURCE_DATE_EPOCH stamped on the archive

  /// "NAME-VERSION", the stage's and the archive's top directory.
  std::string top() const { return name + "-" + version; }
  /// "NAME-VERSION-linux-ARCH.tar.gz".
  std::string archive_name() const { return top() + "-linux-" + arch + ".tar.gz"; }
};

/// The machine name the kernel reports (uname -m), e.g. "x86_64".
std::string machine_arch();

/// A string as a quoted CMake argument (no variable references); throws on ';', which
/// CMake would take for a list separator.
std::string cmake_quote(std::string_view s);

/// BUILD/bundle/cpack-settings.cmake's text for a staged bundle.
std::string cpack_settings_text(const StagedBundle& b);

/// How dkmpack runs CPack.
struct CpackRun {
  fs::path settings;        ///< BUILD/bundle/cpack-settings.cmake (written already)
  fs::path project_config;  ///< cmake/DkmBundleCPack.cmake
  fs::path archiver;        ///< the dkmpack executable (runs --write-archive)
  fs::path work_dir;        ///< BUILD/bundle/cpack
  fs::path output_dir;      ///< --dist-dir
  std::vector<std::string> generators = {"External", "DEB", "RPM"};
};

/// The CPackConfig.cmake dkmpack gives cpack.
std::string cpack_config_text(const StagedBundle& b, const CpackRun& run);

/// Moves a finished file into `dir` without ever exposing a partial copy there: a rename
/// when both are on one file system, else a copy under a temporary name, then a rename.
fs::path move_into(const fs::path& file, const fs::path& dir);

/// What a CPack run produced, in the output directory.
struct PackagingResult {
  fs::path archive;                 ///< the .tar.gz
  std::string archive_sha256;       ///< its digest (from its .sha256)
  std::vector<fs::path> packages;   ///< the .deb and .rpm
  fs::path log;                     ///< cpack's output
};

/// Runs cpack for a staged bundle; throws Error with the tail of cpack's log when it fails.
PackagingResult run_cpack(const StagedBundle& b, const CpackRun& run);

/// Packages a staged bundle the way dkmpack does: CPack works in BUILD/bundle/cpack, the
/// archive, its .sha256, the .deb and the .rpm end up in `dist_dir`. `cmake_dir` holds
/// DkmBundleCPack.cmake; `archiver` is the dkmpack executable.
PackagingResult package_staged_bundle(const StagedBundle& b, const fs::path& settings, const fs::path& dist_dir,
                                             const fs::path& archiver, const fs::path& cmake_dir);


}  // namespace dkm::pack

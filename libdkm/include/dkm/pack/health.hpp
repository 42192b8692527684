#pragma once
// The bundle's health check (after Omnibus'): every ELF file of a staged tree may need
// only libc's family, libraries of the bundle itself (found through a RUNPATH relative
// to $ORIGIN that stays inside the tree), or what bundle.toml's [health] allow names.
// Anything else would make the bundle depend on the packaging machine's libraries.
// Implementation: libdkm/src/pack/health.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/pack/elf.hpp>

#include <fnmatch.h>

#include <algorithm>
#include <tuple>
#include <string>
#include <vector>

namespace dkm::pack {

/// One problem: a file of the tree and the library (or interpreter) it must not need.
struct HealthViolation {
  std::string file;     ///< path relative to the checked tree
  std::string library;  ///< the DT_NEEDED name or the interpreter path (empty for a broken file)
  std::string reason;   ///< why it is not acceptable
};

/// What a health check found.
struct HealthReport {
  size_t elf_files = 0;                    ///< ELF files examined
  std::vector<HealthViolation> violations; ///< sorted by file, then library

  /// True when no ELF file needs anything outside libc's family, the bundle and the allow-list.
  bool ok() const { return violations.empty(); }
  /// One line per violation, "FILE: needs LIBRARY (REASON)".
  std::string describe() const;
};

/// Shell patterns (fnmatch) of libc's family: what every glibc Linux host has.
const std::vector<std::string>& libc_family();

/// True when `name` matches one of the shell patterns.
inline bool matches_any(const std::string& name, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return ::fnmatch(p.c_str(), name.c_str(), 0) == 0; });
}

/// True when a library name (a DT_NEEDED entry or an interpreter's file name) is of libc's family.
inline bool in_libc_family(const std::string& name) { return matches_any(name, libc_family()); }

/// Where `library` needed by `file` (both inside `root`) is found in the tree through one of
/// the file's $ORIGIN-relative run path entries; empty when it is not.
fs::path find_in_bundle(const fs::path& root, const fs::path& file, const ElfInfo& elf,
                               const std::string& library);

/// Checks one ELF file of the tree; appends its violations.
void check_elf_file(const fs::path& root, const fs::path& file, const ElfInfo& elf,
                           const std::vector<std::string>& allow, std::vector<HealthViolation>& out);

/// Checks every ELF file under `root` (symbolic links are not followed: their targets are
/// checked where they are). `allow` extends libc's family with shell patterns.
HealthReport check_health(const fs::path& root, const std::vector<std::string>& allow = {});

}  // namespace dkm::pack

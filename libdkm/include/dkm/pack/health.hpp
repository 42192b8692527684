#pragma once
// The bundle's health check (after Omnibus'): every ELF file of a staged tree may need
// only libc's family, libraries of the bundle itself (found through a RUNPATH relative
// to $ORIGIN that stays inside the tree), or what bundle.toml's [health] allow names.
// Anything else would make the bundle depend on the packaging machine's libraries.

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
  std::string describe() const {
    std::string out;
    for (const auto& v : violations) {
      out += "  " + v.file + ": ";
      out += v.library.empty() ? v.reason : "needs " + v.library + " (" + v.reason + ")";
      out += "\n";
    }
    return out;
  }
};

/// Shell patterns (fnmatch) of libc's family: what every glibc Linux host has.
inline const std::vector<std::string>& libc_family() {
  static const std::vector<std::string> family = {
      "libc.so.*",     "libm.so.*",      "libpthread.so.*", "libdl.so.*", "librt.so.*",
      "libresolv.so.*", "libutil.so.*",  "ld-linux*.so.*",  "linux-vdso.so.*", "linux-gate.so.*",
  };
  return family;
}

/// True when `name` matches one of the shell patterns.
inline bool matches_any(const std::string& name, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return ::fnmatch(p.c_str(), name.c_str(), 0) == 0; });
}

/// True when a library name (a DT_NEEDED entry or an interpreter's file name) is of libc's family.
inline bool in_libc_family(const std::string& name) { return matches_any(name, libc_family()); }

/// Where `library` needed by `file` (both inside `root`) is found in the tree through one of
/// the file's $ORIGIN-relative run path entries; empty when it is not.
inline fs::path find_in_bundle(const fs::path& root, const fs::path& file, const ElfInfo& elf,
                               const std::string& library) {
  if (library.find('/') != std::string::npos) return {};
  fs::path origin = file.parent_path();
  for (const auto& entry : elf.runpath) {
    std::string dir;
    if (entry.rfind("$ORIGIN", 0) == 0) dir = origin.string() + entry.substr(7);
    else if (entry.rfind("${ORIGIN}", 0) == 0) dir = origin.string() + entry.substr(9);
    else continue;  // absolute or cwd-relative entries point outside the bundle
    fs::path candidate = (fs::path(dir) / library).lexically_normal();
    fs::path rel = candidate.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") continue;  // escapes the tree
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(candidate, ec);
    if (ec || !fs::is_regular_file(resolved, ec)) continue;
    fs::path resolved_rel = resolved.lexically_relative(fs::weakly_canonical(root, ec));
    if (resolved_rel.empty() || *resolved_rel.begin() == "..") continue;  // a link out of the tree
    return candidate;
  }
  return {};
}

/// Checks one ELF file of the tree; appends its violations.
inline void check_elf_file(const fs::path& root, const fs::path& file, const ElfInfo& elf,
                           const std::vector<std::string>& allow, std::vector<HealthViolation>& out) {
  std::string rel = file.lexically_relative(root).string();
  if (!elf.interpreter.empty()) {
    std::string base = fs::path(elf.interpreter).filename().string();
    bool family = fs::path(elf.interpreter).is_absolute() && in_libc_family(base);
    if (!family && !matches_any(elf.interpreter, allow) && !matches_any(base, allow))
      out.push_back({rel, elf.interpreter, "interpreter outside libc's family"});
  }
  bool absolute_runpath = std::any_of(elf.runpath.begin(), elf.runpath.end(),
                                      [](const std::string& e) { return e.rfind("$ORIGIN", 0) != 0 && e.rfind("${ORIGIN}", 0) != 0; });
  for (const auto& lib : elf.needed) {
    if (in_libc_family(lib) || matches_any(lib, allow)) continue;
    if (!find_in_bundle(root, file, elf, lib).empty()) continue;
    std::string reason = "not in libc's family, not found in the bundle through a relative RUNPATH";
    if (absolute_runpath) reason += " (RUNPATH " + join(elf.runpath, ":") + " points outside it)";
    out.push_back({rel, lib, reason});
  }
}

/// Checks every ELF file under `root` (symbolic links are not followed: their targets are
/// checked where they are). `allow` extends libc's family with shell patterns.
inline HealthReport check_health(const fs::path& root, const std::vector<std::string>& allow = {}) {
  HealthReport report;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(root.string() + ": not a directory");
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    const fs::path& file = it->path();
    if (!is_elf_file(file)) continue;
    ++report.elf_files;
    try {
      if (auto elf = read_elf(file)) check_elf_file(root, file, *elf, allow, report.violations);
    } catch (const Error& e) {
      report.violations.push_back({file.lexically_relative(root).string(), "", e.what()});
    }
  }
  if (ec) throw Error(root.string() + ": cannot walk the tree: " + ec.message());
  std::sort(report.violations.begin(), report.violations.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.library) < std::tie(b.file, b.library);
  });
  return report;
}

}  // namespace dkm::pack

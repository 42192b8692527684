// The bundle's health check (after Omnibus'): every ELF file of a staged tree may need
#include <dkm/pack/health.hpp>

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

const std::vector<std::string>& libc_family() {
  static const std::vector<std::string> family = {
      "libc.so.*",     "libm.so.*",      "libpthread.so.*", "libdl.so.*", "librt.so.*",
      "libresolv.so.*", "libutil.so.*",  "ld-linux*.so.*",  "linux-vdso.so.*", "linux-gate.so.*",
  };
  return family;
}

fs::path find_in_bundle(const fs::path& root, const fs::path& file, const ElfInfo& elf,
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

void check_elf_file(const fs::path& root, const fs::path& file, const ElfInfo& elf,
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

HealthReport check_health(const fs::path& root, const std::vector<std::string>& allow) {
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

std::string HealthReport::describe() const {
  std::string out;
  for (const auto& v : violations) {
    out += "  " + v.file + ": ";
    out += v.library.empty() ? v.reason : "needs " + v.library + " (" + v.reason + ")";
    out += "\n";
  }
  return out;
}

}  // namespace dkm::pack

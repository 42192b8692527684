#pragma once
// What the health check must allow for this build's own front ends: nothing in dev and
// release (Boost and libstdc++ are static), the sanitizer runtimes and the rest in the asan
// preset, where static linking is not possible. Tests allow exactly these, so only what a
// test adds can fail the check.

#include "test_support.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/pack/health.hpp>

#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// The shared libraries outside libc's family that installer, dkm and dkmadmin need.
inline std::vector<std::string> front_end_libraries() {
  std::set<std::string> libs;
  for (const char* name : {"installer", "dkm", "dkmadmin"})
    if (auto elf = pack::read_elf(tool(name)))
      for (const auto& lib : elf->needed)
        if (!pack::in_libc_family(lib)) libs.insert(lib);
  return {libs.begin(), libs.end()};
}

/// bundle.toml's `allow = []` with front_end_libraries() in it.
inline std::string allow_front_end_libraries(const std::string& bundle_toml) {
  std::string list;
  for (const auto& lib : front_end_libraries()) list += (list.empty() ? "\"" : ", \"") + lib + "\"";
  return replace_every(bundle_toml, "allow = []", "allow = [" + list + "]");
}

}  // namespace dkm::test

#pragma once
// The five steps of every component, in the order they run: each an edge of build.ninja,
// with its own key, stamp and log (build_layout.hpp says where).
//   fetch      the source, from git, an archive or a local tree (sources.hpp)
//   patch      the recipe's patches applied to a fresh copy
//   configure, build, install   the builders' commands (builders.hpp)
// Implementation: libdkm/src/pack/step.cpp.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace dkm::pack {

/// The steps of every component, in the order they run.
enum class Step { fetch, patch, configure, build, install };

/// Every step, in order.
inline constexpr std::array<Step, 5> kSteps = {Step::fetch, Step::patch, Step::configure, Step::build, Step::install};

/// "fetch", "patch", "configure", "build" or "install".
inline std::string_view to_string(Step step) {
  constexpr std::array<std::string_view, 5> names = {"fetch", "patch", "configure", "build", "install"};
  return names[static_cast<size_t>(step)];
}

/// The step called `name`; nullopt when there is none.
std::optional<Step> parse_step(std::string_view name);

}  // namespace dkm::pack

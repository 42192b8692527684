// The five steps of every component.
#include <dkm/pack/step.hpp>

namespace dkm::pack {

std::optional<Step> parse_step(std::string_view name) {
  for (Step s : kSteps)
    if (to_string(s) == name) return s;
  return std::nullopt;
}

}  // namespace dkm::pack

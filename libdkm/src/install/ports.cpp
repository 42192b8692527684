// The port plan of one install: ten consecutive ports from the base PORT given to
#include <dkm/install/ports.hpp>

#include <dkm/core/error.hpp>

#include <charconv>
#include <string>
#include <string_view>

namespace dkm::install {

int parse_port(std::string_view text, const std::string& flag) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw UsageError(flag + ": '" + std::string(text) + "' is not a port number");
  if (value < 1 || value > 65535)
    throw UsageError(flag + ": port " + std::string(text) + " is outside 1-65535");
  return value;
}

PortPlan parse_port_plan(std::string_view text, const std::string& flag) {
  int base = parse_port(text, flag);
  if (base + kPortSpan - 1 > 65535)
    throw UsageError(flag + ": port " + std::to_string(base) + " leaves no room for its ten ports (PORT+9 = " +
                     std::to_string(base + kPortSpan - 1) + " is above 65535)");
  return PortPlan(base);
}

}  // namespace dkm::install

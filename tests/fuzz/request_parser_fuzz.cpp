// libFuzzer target: the supervisor's control request parser. Any bytes must give either
// a valid request (which renders and parses back the same) or a ProtocolError; nothing else.

#include <cstddef>

#include "supervise/control_protocol.hpp"
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  try {
    dkm::supervise::Request request = dkm::supervise::parse_request(line);
    if (!(dkm::supervise::parse_request(dkm::supervise::render_request(request)) == request)) std::abort();
  } catch (const dkm::supervise::ProtocolError&) {
    // The expected answer to bad input.
  }
  return 0;
}

// libFuzzer target: the supervisor's control request parser. Any bytes must give either
// a valid request (which renders and parses back the same) or a ProtocolError; nothing else.
#include <dkm/supervise/control_protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  try {
    dkm::runtime::Request request = dkm::runtime::parse_request(line);
    if (!(dkm::runtime::parse_request(dkm::runtime::render_request(request)) == request)) std::abort();
  } catch (const dkm::runtime::ProtocolError&) {
    // The expected answer to bad input.
  }
  return 0;
}

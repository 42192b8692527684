// Secrets generated at install time from the kernel's random source (getrandom),
#include "secrets.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <sys/random.h>
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace dkm::install {

std::string random_bytes(size_t size) {
  std::string out(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::getrandom(out.data() + done, size - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("getrandom: " + errno_text());
    done += static_cast<size_t>(n);
  }
  return out;
}

std::string random_token(size_t length, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > 256) throw Error("random_token: alphabet must have 1 to 256 characters");
  // The largest multiple of the alphabet size that fits in a byte: bytes above it are dropped.
  const unsigned limit = 256u - (256u % static_cast<unsigned>(alphabet.size()));
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    for (unsigned char byte : random_bytes(length - out.size() + 8)) {
      if (byte >= limit) continue;
      out += alphabet[byte % alphabet.size()];
      if (out.size() == length) break;
    }
  }
  return out;
}

}  // namespace dkm::install

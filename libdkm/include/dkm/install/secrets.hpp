#pragma once
// Secrets generated at install time from the kernel's random source (getrandom),
// never shipped: Grafana's admin password and its secret key.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace dkm::install {

/// Letters and digits: safe unquoted in INI, TOML, YAML and shell, and easy to copy.
inline constexpr std::string_view kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Fills `size` bytes from getrandom(2), blocking until the kernel's pool is initialised.
inline std::string random_bytes(size_t size) {
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

/// A random string of `length` characters drawn uniformly from `alphabet`
/// (rejection sampling, so no character is more likely than another).
inline std::string random_token(size_t length, std::string_view alphabet = kAlphanumeric) {
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

/// Grafana's initial admin password: 24 alphanumeric characters (about 143 bits).
inline std::string generate_admin_password() { return random_token(24); }

/// Grafana's secret key (signs and encrypts its stored secrets): 40 alphanumeric characters (about 238 bits).
inline std::string generate_secret_key() { return random_token(40); }

}  // namespace dkm::install

#pragma once
// Secrets generated at install time from the kernel's random source (getrandom),
// never shipped: Grafana's admin password and its secret key.
// Implementation: libdkm/src/install/secrets.cpp.

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
std::string random_bytes(size_t size);

/// A random string of `length` characters drawn uniformly from `alphabet`
/// (rejection sampling, so no character is more likely than another).
std::string random_token(size_t length, std::string_view alphabet = kAlphanumeric);

/// Grafana's initial admin password: 24 alphanumeric characters (about 143 bits).
inline std::string generate_admin_password() { return random_token(24); }

/// Grafana's secret key (signs and encrypts its stored secrets): 40 alphanumeric characters (about 238 bits).
inline std::string generate_secret_key() { return random_token(40); }

}  // namespace dkm::install

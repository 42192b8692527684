#pragma once
// Host names for collectd: checking them, reversing them (host.example.domain gives
// domain.example.host, so Graphite's tree groups hosts by domain), and finding this
// machine's fully qualified name the way `hostname -f` does.

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <climits>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// Why `name` is not a DNS host name (RFC 1123 labels joined by dots), or "" when it is one.
inline std::string hostname_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 253) return "it is longer than 253 characters";
  for (const auto& label : split(name, '.')) {
    if (label.empty()) return "it has an empty label (two dots in a row, or a dot at an end)";
    if (label.size() > 63) return "its label '" + label + "' is longer than 63 characters";
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return std::string("it contains '") + c + "' (only letters, digits, '-' and '.' are allowed)";
    }
    if (label.front() == '-' || label.back() == '-') return "its label '" + label + "' starts or ends with '-'";
  }
  return {};
}

/// Checks a host name; throws UsageError naming `flag` when it is not one.
inline void check_hostname(std::string_view name, const std::string& flag) {
  if (std::string why = hostname_problem(name); !why.empty())
    throw UsageError(flag + ": '" + std::string(name) + "' is not a valid host name: " + why);
}

/// Reverses the dot-separated labels of a host name: "host.example.domain" gives "domain.example.host".
inline std::string reverse_hostname(std::string_view name) {
  std::vector<std::string> labels = split(name, '.');
  std::reverse(labels.begin(), labels.end());
  return join(labels, ".");
}

/// This machine's fully qualified name (canonical name of gethostname() through the
/// resolver, as `hostname -f`); falls back to the plain host name when it does not resolve.
inline std::string local_fqdn() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) throw Error("gethostname: " + std::string(std::strerror(errno)));
  std::string name = buffer;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* result = nullptr;
  if (::getaddrinfo(name.c_str(), nullptr, &hints, &result) == 0 && result) {
    if (result->ai_canonname && hostname_problem(result->ai_canonname).empty()) name = result->ai_canonname;
    ::freeaddrinfo(result);
  }
  return name;
}

}  // namespace dkm::install

#pragma once
// Host names for collectd: checking them, reversing them (host.example.domain gives
// domain.example.host, so Graphite's tree groups hosts by domain), and finding this
// machine's fully qualified name the way `hostname -f` does.
// Implementation: libdkm/src/install/hostnames.cpp.

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
std::string hostname_problem(std::string_view name);

/// Checks a host name; throws UsageError naming `flag` when it is not one.
inline void check_hostname(std::string_view name, const std::string& flag) {
  if (std::string why = hostname_problem(name); !why.empty())
    throw UsageError(flag + ": '" + std::string(name) + "' is not a valid host name: " + why);
}

/// Reverses the dot-separated labels of a host name: "host.example.domain" gives "domain.example.host".
std::string reverse_hostname(std::string_view name);

/// This machine's fully qualified name (canonical name of gethostname() through the
/// resolver, as `hostname -f`); falls back to the plain host name when it does not resolve.
std::string local_fqdn();

}  // namespace dkm::install

#pragma once
// Network addresses as the installer's flags give them and the configs need them:
// IP addresses to listen on, HOST[:PORT] endpoints to send to, and the address a
// local client uses to reach a listener (0.0.0.0 is reached through 127.0.0.1).
// Implementation: libdkm/src/install/addresses.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/ports.hpp>

#include <boost/algorithm/string/predicate.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>
#include <string_view>

namespace dkm::install {

/// An IPv4 or IPv6 address in its canonical text form.
struct IpAddress {
  std::string text;  ///< canonical form (inet_ntop), without brackets
  bool v6 = false;   ///< true for IPv6

  /// True for the wildcard addresses 0.0.0.0 and ::.
  bool any() const { return text == "0.0.0.0" || text == "::"; }
};

/// Parses an IPv4 or IPv6 address (brackets around IPv6 allowed); nullopt-like empty text when not one.
IpAddress to_ip(std::string_view text);

/// The IPv4 address, in full, that `host` stands for when it is one of the forms that
/// inet_aton and the resolver read but inet_pton does not (127.1, 0, 0x7f000001,
/// 0177.0.0.1, 2130706433); empty for anything else. Such text is neither a host name
/// nor an address: the flags refuse it, so that 127.1 cannot pass for a remote host.
std::string ipv4_shorthand(std::string_view host);

/// Parses an IP address given to `flag`; throws UsageError naming the flag when it is not one.
IpAddress parse_ip(std::string_view text, const std::string& flag);

/// "host:port", with brackets around an IPv6 host ("[::1]:2003"), as Go and collectd read it.
std::string host_port(std::string_view host, int port);

/// The address a local client connects to for a listener bound to `listen`:
/// the loopback address for a wildcard, else the address itself.
std::string connect_host(const IpAddress& listen);

/// A remote host (DNS name or IP address) and a port.
struct Endpoint {
  std::string host;  ///< host name or canonical IP address, without brackets
  int port = 0;      ///< TCP/UDP port

  /// "host:port" (IPv6 in brackets).
  std::string str() const { return host_port(host, port); }
};

/// Parses HOST[:PORT] (IPv6 as [ADDR]:PORT, or a bare ADDR without port); HOST is an
/// address inet_pton reads or a host name, never an IPv4 shorthand. Without a
/// port: `default_port` when positive, 0 when negative (the caller decides later), an
/// error when 0 (the port is required).
Endpoint parse_endpoint(std::string_view text, int default_port, const std::string& flag);

/// Parses HOST[:PORT] like parse_endpoint, for an address to send to or read from:
/// a wildcard (0.0.0.0, ::) is one to listen on, never a destination, so it is refused.
Endpoint parse_destination(std::string_view text, int default_port, const std::string& flag);

/// True for loopback addresses (127.0.0.0/8, ::1) and the name "localhost".
bool is_loopback(const std::string& host);

/// True when two endpoints name the same host (host names compared without case) and port.
inline bool same_endpoint(const Endpoint& a, const Endpoint& b) {
  return a.port == b.port && boost::algorithm::iequals(a.host, b.host);
}

}  // namespace dkm::install

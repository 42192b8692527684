#pragma once
// Network addresses as the installer's flags give them and the configs need them:
// IP addresses to listen on, HOST[:PORT] endpoints to send to, and the address a
// local client uses to reach a listener (0.0.0.0 is reached through 127.0.0.1).

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
inline IpAddress to_ip(std::string_view text) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  unsigned char buf[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, s.c_str(), buf) == 1 && ::inet_ntop(AF_INET, buf, out, sizeof out))
    return {out, false};
  if (::inet_pton(AF_INET6, s.c_str(), buf) == 1 && ::inet_ntop(AF_INET6, buf, out, sizeof out))
    return {out, true};
  return {};
}

/// Parses an IP address given to `flag`; throws UsageError naming the flag when it is not one.
inline IpAddress parse_ip(std::string_view text, const std::string& flag) {
  IpAddress ip = to_ip(text);
  if (ip.text.empty())
    throw UsageError(flag + ": '" + std::string(text) + "' is not an IP address (give one like 0.0.0.0, 10.1.2.3 or ::)");
  return ip;
}

/// "host:port", with brackets around an IPv6 host ("[::1]:2003"), as Go and collectd read it.
inline std::string host_port(std::string_view host, int port) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

/// The address a local client connects to for a listener bound to `listen`:
/// the loopback address for a wildcard, else the address itself.
inline std::string connect_host(const IpAddress& listen) {
  if (listen.text == "0.0.0.0") return "127.0.0.1";
  if (listen.text == "::") return "::1";
  return listen.text;
}

/// A remote host (DNS name or IP address) and a port.
struct Endpoint {
  std::string host;  ///< host name or canonical IP address, without brackets
  int port = 0;      ///< TCP/UDP port

  /// "host:port" (IPv6 in brackets).
  std::string str() const { return host_port(host, port); }
};

/// Parses HOST[:PORT] (IPv6 as [ADDR]:PORT, or a bare ADDR without port). Without a
/// port: `default_port` when positive, 0 when negative (the caller decides later), an
/// error when 0 (the port is required).
inline Endpoint parse_endpoint(std::string_view text, int default_port, const std::string& flag) {
  std::string s(trim(text));
  std::string host = s, port_text;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string::npos)
      throw UsageError(flag + ": '" + s + "' opens '[' without closing it");
    host = s.substr(1, close - 1);
    std::string rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw UsageError(flag + ": '" + s + "' has text after ']' that is not ':PORT'");
      port_text = rest.substr(1);
      if (port_text.empty()) throw UsageError(flag + ": '" + s + "' ends with ':' but no port");
    }
    if (to_ip(host).text.empty() || !to_ip(host).v6)
      throw UsageError(flag + ": '" + host + "' in brackets is not an IPv6 address");
  } else if (size_t colon = s.find(':'); colon != std::string::npos && s.find(':', colon + 1) == std::string::npos) {
    host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    if (port_text.empty()) throw UsageError(flag + ": '" + s + "' ends with ':' but no port");
  }
  Endpoint out;
  if (IpAddress ip = to_ip(host); !ip.text.empty()) {
    out.host = ip.text;
  } else {
    if (host.find(':') != std::string::npos)
      throw UsageError(flag + ": '" + s + "' is neither HOST[:PORT] nor an IPv6 address (write [ADDR]:PORT)");
    if (std::string why = hostname_problem(host); !why.empty())
      throw UsageError(flag + ": '" + host + "' is neither an IP address nor a valid host name: " + why);
    out.host = host;
  }
  if (!port_text.empty()) out.port = parse_port(port_text, flag);
  else if (default_port > 0) out.port = default_port;
  else if (default_port < 0) out.port = 0;
  else throw UsageError(flag + ": '" + s + "' needs a port (HOST:PORT)");
  return out;
}

/// Parses HOST[:PORT] like parse_endpoint, for an address to send to or read from:
/// a wildcard (0.0.0.0, ::) is one to listen on, never a destination, so it is refused.
inline Endpoint parse_destination(std::string_view text, int default_port, const std::string& flag) {
  Endpoint e = parse_endpoint(text, default_port, flag);
  if (IpAddress ip = to_ip(e.host); ip.any())
    throw UsageError(flag + ": '" + std::string(trim(text)) + "' is a wildcard address, which a server listens on but " +
                     "no client can reach; give the other host's name or address");
  return e;
}

/// True for loopback addresses (127.0.0.0/8, ::1) and the name "localhost".
inline bool is_loopback(const std::string& host) {
  IpAddress ip = to_ip(host);
  if (ip.text.empty()) return boost::algorithm::iequals(host, "localhost");
  return ip.v6 ? ip.text == "::1" : ip.text.rfind("127.", 0) == 0;
}

/// True when two endpoints name the same host (host names compared without case) and port.
inline bool same_endpoint(const Endpoint& a, const Endpoint& b) {
  return a.port == b.port && boost::algorithm::iequals(a.host, b.host);
}

}  // namespace dkm::install

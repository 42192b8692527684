// Network addresses as the installer's flags give them and the configs need them:
#include <dkm/install/addresses.hpp>

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

IpAddress to_ip(std::string_view text) {
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

std::string ipv4_shorthand(std::string_view host) {
  if (host.empty() || !to_ip(host).text.empty()) return {};
  // inet_aton also takes "ADDR anything": only numbers and dots are a shorthand.
  if (host.find_first_not_of("0123456789abcdefABCDEFxX.") != std::string_view::npos) return {};
  std::string s(host);
  in_addr addr{};
  char out[INET_ADDRSTRLEN];
  if (::inet_aton(s.c_str(), &addr) == 0 || !::inet_ntop(AF_INET, &addr, out, sizeof out)) return {};
  return out;
}

IpAddress parse_ip(std::string_view text, const std::string& flag) {
  IpAddress ip = to_ip(text);
  if (ip.text.empty())
    throw UsageError(flag + ": '" + std::string(text) + "' is not an IP address (give one like 0.0.0.0, 10.1.2.3 or ::)");
  return ip;
}

std::string host_port(std::string_view host, int port) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

std::string connect_host(const IpAddress& listen) {
  if (listen.text == "0.0.0.0") return "127.0.0.1";
  if (listen.text == "::") return "::1";
  return listen.text;
}

Endpoint parse_endpoint(std::string_view text, int default_port, const std::string& flag) {
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
  } else if (std::string full = ipv4_shorthand(host); !full.empty()) {
    throw UsageError(flag + ": '" + host + "' is a shorthand of the IPv4 address " + full +
                     " (the resolver reads it so), not a host name: write the address in full");
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

Endpoint parse_destination(std::string_view text, int default_port, const std::string& flag) {
  Endpoint e = parse_endpoint(text, default_port, flag);
  if (IpAddress ip = to_ip(e.host); ip.any())
    throw UsageError(flag + ": '" + std::string(trim(text)) + "' is a wildcard address, which a server listens on but " +
                     "no client can reach; give the other host's name or address");
  return e;
}

bool is_loopback(const std::string& host) {
  IpAddress ip = to_ip(host);
  if (ip.text.empty()) return boost::algorithm::iequals(host, "localhost");
  return ip.v6 ? ip.text == "::1" : ip.text.rfind("127.", 0) == 0;
}

}  // namespace dkm::install

// install/addresses: IP addresses, host:port and HOST[:PORT] endpoints.
// endpoints from flags, host names for collectd.
#include <catch2/catch.hpp>

#include <dkm/install/addresses.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/ports.hpp>

using namespace dkm;
using namespace dkm::install;

TEST_CASE("IP addresses are recognised in both families and written canonically", "[addresses]") {
  CHECK(parse_ip("10.1.2.3", "--x").text == "10.1.2.3");
  CHECK_FALSE(parse_ip("10.1.2.3", "--x").v6);
  CHECK(parse_ip("::", "--x").any());
  CHECK(parse_ip("0.0.0.0", "--x").any());
  CHECK(parse_ip("[2001:DB8::1]", "--x").text == "2001:db8::1");
  CHECK(parse_ip("2001:db8:0:0::1", "--x").v6);
  for (const char* bad : {"localhost", "300.1.2.3", "10.1.2", "", "1.2.3.4:80", "::g"})
    REQUIRE_THROWS_WITH(parse_ip(bad, "--carbon-listen"), Catch::Contains("--carbon-listen") && Catch::Contains("not an IP"));
}

TEST_CASE("host:port brackets IPv6, and wildcards are reached through loopback", "[addresses]") {
  CHECK(host_port("127.0.0.1", 2003) == "127.0.0.1:2003");
  CHECK(host_port("::1", 2003) == "[::1]:2003");
  CHECK(host_port("graphite.example.com", 2003) == "graphite.example.com:2003");
  CHECK(connect_host(to_ip("0.0.0.0")) == "127.0.0.1");
  CHECK(connect_host(to_ip("::")) == "::1");
  CHECK(connect_host(to_ip("10.0.0.7")) == "10.0.0.7");
}

TEST_CASE("HOST[:PORT] endpoints take names, IPv4 and bracketed IPv6", "[addresses]") {
  CHECK(parse_endpoint("graphite.example.com", 27601, "--x").str() == "graphite.example.com:27601");
  CHECK(parse_endpoint("graphite.example.com:2003", 27601, "--x").port == 2003);
  CHECK(parse_endpoint("10.0.0.5:2003", 1, "--x").str() == "10.0.0.5:2003");
  CHECK(parse_endpoint("[fd00::5]:2003", 1, "--x").str() == "[fd00::5]:2003");
  CHECK(parse_endpoint("fd00::5", 7, "--x").str() == "[fd00::5]:7");
  CHECK(parse_endpoint("server", -1, "--x").port == 0);
  REQUIRE_THROWS_WITH(parse_endpoint("server", 0, "--backends"), Catch::Contains("--backends") && Catch::Contains("needs a port"));
  REQUIRE_THROWS_WITH(parse_endpoint("server:", 1, "--x"), Catch::Contains("no port"));
  REQUIRE_THROWS_WITH(parse_endpoint("server:99999", 1, "--x"), Catch::Contains("outside 1-65535"));
  REQUIRE_THROWS_WITH(parse_endpoint("bad_host:80", 1, "--carbon-server"),
                      Catch::Contains("--carbon-server") && Catch::Contains("bad_host"));
  REQUIRE_THROWS_WITH(parse_endpoint("[10.0.0.1]:80", 1, "--x"), Catch::Contains("not an IPv6"));
  REQUIRE_THROWS_WITH(parse_endpoint("[fd00::5:80", 1, "--x"), Catch::Contains("never") || Catch::Contains("without closing"));
}

TEST_CASE("IPv4 shorthands (127.1, 0, hex, octal, one number) are refused, names and full addresses are not",
          "[addresses]") {
  CHECK(ipv4_shorthand("127.1") == "127.0.0.1");
  CHECK(ipv4_shorthand("127.0.1") == "127.0.0.1");
  CHECK(ipv4_shorthand("2130706433") == "127.0.0.1");
  CHECK(ipv4_shorthand("0x7f000001") == "127.0.0.1");
  CHECK(ipv4_shorthand("0177.0.0.1") == "127.0.0.1");
  CHECK(ipv4_shorthand("0") == "0.0.0.0");
  CHECK(ipv4_shorthand("0.0") == "0.0.0.0");
  CHECK(ipv4_shorthand("0x0") == "0.0.0.0");
  for (const char* not_one : {"127.0.0.1", "10.0.0.11", "::1", "mon2.example.com", "cafe", "dead.beef", "1e100.net",
                              "127.1 x", "", "1.2.3.4.5"}) {
    INFO(not_one);
    CHECK(ipv4_shorthand(not_one).empty());
  }
  for (const char* shorthand : {"127.1", "0", "0x0", "2130706433"}) {
    INFO(shorthand);
    REQUIRE_THROWS_WITH(parse_endpoint(std::string(shorthand) + ":2003", 1, "--backends"),
                        Catch::StartsWith("--backends: '" + std::string(shorthand) + "' is a shorthand of the IPv4 address"));
    REQUIRE_THROWS_AS(parse_destination(shorthand, 2003, "--carbon-backends"), UsageError);
  }
  CHECK(parse_destination("10.0.0.11", 2003, "--carbon-backends").str() == "10.0.0.11:2003");
  CHECK(parse_destination("mon2.example.com", 2003, "--carbon-backends").str() == "mon2.example.com:2003");
}

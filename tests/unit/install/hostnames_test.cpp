// install/hostnames: host names checked and reversed, and this host's.
#include <catch2/catch.hpp>

#include <dkm/install/addresses.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/ports.hpp>

using namespace dkm;
using namespace dkm::install;

TEST_CASE("collectd's host name is the FQDN reversed", "[hostnames]") {
  CHECK(reverse_hostname("host.example.domain") == "domain.example.host");
  CHECK(reverse_hostname("single") == "single");
  CHECK(reverse_hostname("a.b") == "b.a");
}

TEST_CASE("host names follow RFC 1123, and the error says what is wrong", "[hostnames]") {
  for (const char* good : {"host", "host.example.com", "a-b.c-d", "x1.y2", "123.example"})
    CHECK(hostname_problem(good).empty());
  CHECK_THAT(hostname_problem(""), Catch::Contains("empty"));
  CHECK_THAT(hostname_problem("a..b"), Catch::Contains("empty label"));
  CHECK_THAT(hostname_problem(".a"), Catch::Contains("empty label"));
  CHECK_THAT(hostname_problem("under_score.com"), Catch::Contains("'_'"));
  CHECK_THAT(hostname_problem("-lead.com"), Catch::Contains("starts or ends"));
  CHECK_THAT(hostname_problem(std::string(64, 'a') + ".com"), Catch::Contains("63"));
  CHECK_THAT(hostname_problem("with space"), Catch::Contains("' '"));
  REQUIRE_THROWS_WITH(check_hostname("a b", "--hostname"), Catch::Contains("--hostname") && Catch::Contains("'a b'"));
}

TEST_CASE("this host's name is found and usable", "[hostnames]") {
  std::string fqdn = local_fqdn();
  CHECK_FALSE(fqdn.empty());
}

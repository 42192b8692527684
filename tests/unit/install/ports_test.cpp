// install/ports: the ten ports of an install, from its base port.
#include <catch2/catch.hpp>

#include <dkm/install/addresses.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/ports.hpp>

using namespace dkm;
using namespace dkm::install;

TEST_CASE("the port plan puts every service on its offset of the ten ports", "[ports]") {
  PortPlan p = parse_port_plan("27600");
  CHECK(p.grafana() == 27600);
  CHECK(p.carbon() == 27601);
  CHECK(p.carbonapi() == 27602);
  CHECK(p.carbonserver() == 27603);
  std::vector<int> internal{p.pickle(), p.carbonlink(), p.carbon_grpc(), p.carbonserver_grpc(), p.pprof(), p.grafana_grpc()};
  CHECK(internal == std::vector<int>{27604, 27605, 27606, 27607, 27608, 27609});
  CHECK(p.last() == 27609);
}

TEST_CASE("a base port whose ten ports pass 65535 is refused, naming the flag", "[ports]") {
  CHECK(parse_port_plan("65526").last() == 65535);
  REQUIRE_THROWS_AS(parse_port_plan("65527"), UsageError);
  REQUIRE_THROWS_WITH(parse_port_plan("65530"), Catch::Contains("-p/--port") && Catch::Contains("65539"));
  REQUIRE_THROWS_WITH(parse_port_plan("abc"), Catch::Contains("-p/--port") && Catch::Contains("'abc' is not a port"));
  REQUIRE_THROWS_WITH(parse_port_plan("27600x"), Catch::Contains("not a port"));
  REQUIRE_THROWS_WITH(parse_port_plan(""), Catch::Contains("not a port"));
  REQUIRE_THROWS_WITH(parse_port_plan("0"), Catch::Contains("outside 1-65535"));
  REQUIRE_THROWS_WITH(parse_port_plan("-5"), Catch::Contains("-5"));
}

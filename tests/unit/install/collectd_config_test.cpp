// install/collectd_config: collectd's config syntax as collectd reads it (collectd.conf(5)),
// the way the migration reads an original install's collectd.conf and collectd.d/.
#include <catch2/catch.hpp>

#include "install/collectd_config.hpp"

using namespace dkm;
using namespace dkm::install;

TEST_CASE("collectd configs: statements, nested blocks, quoted strings, keys in any case", "[collectd-config]") {
  CollectdItem top = parse_collectd_config(
      "# the agent\n"
      "Hostname \"com.example.host\"\n"
      "interval 10\n"
      "LoadPlugin processes\n"
      "<Plugin processes>\n"
      "\tCollectFileDescriptor true  # per process\n"
      "  <ProcessMatch \"dss_backend\" \"java -Ddku\\\\.backend .*\">\n"
      "    CollectContextSwitch true\n"
      "  </ProcessMatch>\n"
      "</Plugin>\n"
      "<plugin write_graphite>\n"
      "  <Node \"backend\">\n    Host \"10.0.0.5\"\n    Port \"2003\"\n  </Node>\n"
      "</plugin>\n",
      "collectd.conf");
  CHECK(top.value("hostname") == "com.example.host");
  CHECK(top.value("Interval") == "10");
  CHECK(top.find("Interval")->line == 3);
  CHECK(top.value("absent").empty());
  CHECK(top.find("absent") == nullptr);

  std::vector<const CollectdItem*> plugins = top.all("Plugin");
  REQUIRE(plugins.size() == 2);
  CHECK(plugins[0]->values == std::vector<std::string>{"processes"});
  CHECK(plugins[0]->line == 5);
  CHECK(plugins[0]->value("CollectFileDescriptor") == "true");  // the comment is not a value
  const CollectdItem* match = plugins[0]->find("ProcessMatch");
  REQUIRE(match != nullptr);
  // collectd unquotes "\\." to "\.": a backslash escapes the character after it.
  CHECK(match->values == std::vector<std::string>{"dss_backend", "java -Ddku\\.backend .*"});
  CHECK(match->value("CollectContextSwitch") == "true");
  const CollectdItem* node = plugins[1]->find("node");
  REQUIRE(node != nullptr);
  CHECK(node->value("Host") == "10.0.0.5");
  CHECK(node->value("Port") == "2003");
}

TEST_CASE("collectd config errors name the file and the line", "[collectd-config]") {
  CHECK_THROWS_WITH(parse_collectd_config("<Plugin cpu>\n</Plugin disk\n", "cpu.conf"),
                    Catch::StartsWith("cpu.conf:2: bad block line"));
  CHECK_THROWS_WITH(parse_collectd_config("<Plugin cpu>\n</Node>\n", "cpu.conf"),
                    Catch::StartsWith("cpu.conf:2: unbalanced </Node>"));
  CHECK_THROWS_WITH(parse_collectd_config("LoadPlugin cpu\n<Plugin cpu>\n  Value 1\n", "cpu.conf"),
                    Catch::StartsWith("cpu.conf:2: <Plugin> is never closed"));
}

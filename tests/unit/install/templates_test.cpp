// install/templates: selecting templates by service and rendering them with mustache.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include <dkm/install/templates.hpp>

using namespace dkm;
using namespace dkm::install;

TEST_CASE("values are inserted as they are, without HTML escaping", "[templates]") {
  nlohmann::json v{{"url", "http://a/?x=1&y=<2>"}, {"n", 42}, {"on", true}, {"off", false}};
  CHECK(render_template("u={{url}} n={{n}}", v, "t") == "u=http://a/?x=1&y=<2> n=42");
  CHECK(render_template("{{#on}}yes{{/on}}{{^off}} no{{/off}}", v, "t") == "yes no");
  CHECK(render_template("{{#off}}hidden{{/off}}", v, "t").empty());
}

TEST_CASE("lists render once per item", "[templates]") {
  nlohmann::json v{{"backends", {{{"url", "http://a:1"}}, {{"url", "http://b:2"}}}}};
  CHECK(render_template("{{#backends}}\n- \"{{url}}\"\n{{/backends}}\n", v, "t") == "- \"http://a:1\"\n- \"http://b:2\"\n");
}

TEST_CASE("an unknown variable is an error naming the template and line", "[templates]") {
  nlohmann::json v{{"port", 1}};
  REQUIRE_THROWS_WITH(render_template("a\nb {{prot}}\n", v, "templates/x.conf"),
                      Catch::Contains("templates/x.conf:2") && Catch::Contains("'prot'"));
  REQUIRE_THROWS_WITH(render_template("{{#nope}}x{{/nope}}", v, "t"), Catch::Contains("'nope'"));
  REQUIRE_THROWS_WITH(render_template("x {{port", v, "t.conf"), Catch::Contains("t.conf:1") && Catch::Contains("never closed"));
  REQUIRE_THROWS_WITH(render_template("{{#port}}x", v, "t.conf"), Catch::Contains("t.conf"));
  CHECK(render_template("{{! a comment }}{{port}}", v, "t") == "1");
}

TEST_CASE("templates are chosen by service: common always, a service's only when installed", "[templates]") {
  TempDir dir;
  for (const char* f : {"common/services.ini", "go-carbon/go-carbon.conf", "collectd/collectd.d/cpu.conf",
                        "grafana/grafana/provisioning/plugins/.keep"}) {
    fs::create_directories((dir.path() / f).parent_path());
    write_file_atomic(dir.path() / f, "x");
  }
  auto outputs = [&](std::vector<std::string> services) {
    std::vector<std::string> out;
    for (const auto& t : select_templates(dir.path(), services)) out.push_back(t.output.string());
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(outputs({"collectd"}) == V{"collectd.d/cpu.conf", "services.ini"});
  CHECK(outputs({"go-carbon", "grafana"}) == V{"go-carbon.conf", "grafana/provisioning/plugins/.keep", "services.ini"});
  CHECK(outputs({}) == V{"services.ini"});
  write_file_atomic(dir.path() / "collectd/services.ini", "y");
  REQUIRE_THROWS_WITH(select_templates(dir.path(), {"collectd"}), Catch::Contains("services.ini"));
  REQUIRE_THROWS_WITH(select_templates(dir.path() / "absent", {}), Catch::Contains("absent"));
}

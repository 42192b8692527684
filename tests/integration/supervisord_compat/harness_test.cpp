// The comparison harness's own logic, without running anything: the scenario format,
// the normalization of observations, and what the comparison lets through.
#include "compat.hpp"

using namespace dkm;
using namespace dkm::compat;

namespace {

SideRecord record(const std::string& side, std::vector<Observation> observations) {
  return SideRecord{side, "/tmp/root-" + side, std::move(observations)};
}

Observation command(const std::string& key, std::vector<std::string> lines) {
  return Observation{key, std::move(lines), "", true};
}

}  // namespace

TEST_CASE("harness: a scenario file gives files, edits, environment and keyed steps", "[supervisord_compat][harness]") {
  Scenario sc = parse_scenario(
      "# what it checks\nenv A=@ROOT@/x\n=== main\n[program:a]\ncommand = @CHILD@ a forever\n"
      "=== conf/extra.conf\n; other\n=== main @v2\n[program:b]\n=== script\nboot\n"
      "@again ctl status\nctl fg a <<< hello there\nsleep 100\nsleep 100\n",
      "sample");
  CHECK(sc.description == "what it checks\n");
  CHECK(sc.env.at("A") == "@ROOT@/x");
  REQUIRE(sc.files.size() == 3);
  CHECK(sc.files[0].text == "[program:a]\ncommand = @CHILD@ a forever\n");
  CHECK(sc.files[1].path == "conf/extra.conf");
  CHECK(sc.files[2].edit == "v2");
  REQUIRE(sc.steps.size() == 5);
  CHECK(sc.steps[1].key == "again");
  CHECK(sc.steps[1].words == std::vector<std::string>{"ctl", "status"});
  CHECK(sc.steps[2].key == "ctl fg a");
  CHECK(sc.steps[2].input == "hello there\n");

  CHECK_THROWS_WITH(parse_scenario("=== script\nboot\n", "x"), Catch::Contains("no '=== main'"));
  CHECK_THROWS_WITH(parse_scenario("=== main\n=== script\nctl status\nctl status\n", "x"),
                    Catch::Contains("x.scenario:4: step 'ctl status' twice"));
  CHECK_THROWS_WITH(parse_scenario("oops\n=== main\n", "x"), Catch::Contains("x.scenario:1: expected"));
}

TEST_CASE("harness: observations are normalized: root, pids in order of appearance, uptimes, dates",
          "[supervisord_compat][harness]") {
  SideRecord r = record("sv", {command("s", {"exit 0", "c STARTING pid 99", "a   RUNNING   pid 4321, uptime 0:00:07",
                                              "b EXITED Nov 30 05:27 AM"}),
                               command("p", {"1234", "4321", "0"}),
                               Observation{"f", {"0644", "/tmp/root-sv/run/x.log"}, "", false}});
  normalize(r);
  CHECK(r.observations[0].lines ==
        std::vector<std::string>{"exit 0", "c STARTING pid <starting>", "a RUNNING pid <P1>, uptime U", "b EXITED <DATE>"});
  CHECK(r.observations[1].lines == std::vector<std::string>{"<P2>", "<P1>", "0"});
  // A number alone is a pid only in a command's output.
  CHECK(r.observations[2].lines == std::vector<std::string>{"0644", "$ROOT/run/x.log"});
}

TEST_CASE("harness: only listed differences pass, as documented, and a listed one both sides agree on is stale",
          "[supervisord_compat][harness]") {
  Scenario sc = parse_scenario("=== main\n=== script\nctl a\nctl b\nctl c\nctl d\n", "s");
  SideRecord sv = record("supervisord", {command("ctl a", {"x"}), command("ctl b", {"y"}), command("ctl c", {"z"}),
                                         command("ctl d", {"same"})});
  SideRecord dk = record("dkm", {command("ctl a", {"x"}), command("ctl b", {"Y"}), command("ctl c", {"Z"}),
                                 command("ctl d", {"same"})});
  std::vector<DeliberateDifference> list{{"b-differs", "row", "", {"s: ctl b"}, "^Y$"},
                                         {"c-differs", "row", "", {"s: ctl c"}, "^nothing like it$"},
                                         {"d-differs", "row", "", {"s: ctl d"}, ""}};
  Comparison c = compare(sc, sv, dk, list);
  REQUIRE(c.mismatches.size() == 2);
  auto unexplained = c.unexplained();
  REQUIRE(unexplained.size() == 1);
  CHECK(unexplained[0]->key == "ctl c");  // listed, but dkm does not match its pattern
  CHECK(c.stale == std::vector<std::string>{"d-differs at s: ctl d"});

  list[2].may_agree = true;
  CHECK(compare(sc, sv, dk, list).stale.empty());
  list.clear();
  CHECK(compare(sc, sv, dk, list).unexplained().size() == 2);
}

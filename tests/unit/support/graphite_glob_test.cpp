// tests/support/graphite_glob: Graphite's per-node glob rules, brace expansion, find.
#include <catch2/catch.hpp>

#include "graphite_glob.hpp"

#include <set>
#include <vector>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("braces expand to every alternative, nested ones too", "[graphite_glob]") {
  CHECK(expand_braces("a.b") == std::vector<std::string>{"a.b"});
  CHECK(expand_braces("x.{a,b}.y") == std::vector<std::string>{"x.a.y", "x.b.y"});
  CHECK(expand_braces("x.{a,b{1,2}}") == std::vector<std::string>{"x.a", "x.b1", "x.b2"});
  CHECK(expand_braces("{a,b}.{c,d}") == std::vector<std::string>{"a.c", "a.d", "b.c", "b.d"});
  CHECK(expand_braces("x{,s}") == std::vector<std::string>{"x", "xs"});
}

TEST_CASE("unbalanced braces are errors naming the pattern", "[graphite_glob]") {
  REQUIRE_THROWS_WITH(expand_braces("a.{b,c"), Catch::Contains("a.{b,c") && Catch::Contains("never closed"));
  REQUIRE_THROWS_WITH(expand_braces("a.b}"), Catch::Contains("'}' without '{'"));
  REQUIRE_THROWS_AS(GraphiteGlob(""), UsageError);
}

TEST_CASE("a star matches within one node, never across a dot", "[graphite_glob]") {
  GraphiteGlob glob("collectd.*.cpu.*.percent.user");
  CHECK(glob.matches("collectd.h1.cpu.0.percent.user"));
  CHECK(glob.matches("collectd.h1.cpu.17.percent.user"));
  CHECK_FALSE(glob.matches("collectd.a.b.cpu.0.percent.user"));   // * is one node
  CHECK_FALSE(glob.matches("collectd.h1.cpu.0.percent.user.x"));  // same depth only
  CHECK_FALSE(glob.matches("collectd.h1.cpu.0.percent"));
  CHECK(GraphiteGlob("a.b*c.d").matches("a.bxyzc.d"));
  CHECK(GraphiteGlob("a.b*c.d").matches("a.bc.d"));
  CHECK_FALSE(GraphiteGlob("a.b*c.d").matches("a.bx.d"));
}

TEST_CASE("character classes and question marks match one character", "[graphite_glob]") {
  GraphiteGlob digit("cpu.[0-9].idle");
  CHECK(digit.matches("cpu.7.idle"));
  CHECK_FALSE(digit.matches("cpu.12.idle"));
  CHECK_FALSE(digit.matches("cpu.x.idle"));
  CHECK(GraphiteGlob("disk.[sv]da").matches("disk.vda"));
  CHECK_FALSE(GraphiteGlob("disk.[sv]da").matches("disk.hda"));
  CHECK(GraphiteGlob("disk.[!s]da").matches("disk.vda"));
  CHECK_FALSE(GraphiteGlob("disk.[!s]da").matches("disk.sda"));
  CHECK(GraphiteGlob("disk.?da").matches("disk.xda"));
  CHECK_FALSE(GraphiteGlob("disk.?da").matches("disk.xvda"));
}

TEST_CASE("brace alternatives match any one of them, even across dots", "[graphite_glob]") {
  GraphiteGlob glob("p.{dss_backend,dss_jek}.ps_rss");
  CHECK(glob.matches("p.dss_backend.ps_rss"));
  CHECK(glob.matches("p.dss_jek.ps_rss"));
  CHECK_FALSE(glob.matches("p.dss_fek.ps_rss"));
  GraphiteGlob deep("load.{load.relative,load}.shortterm");
  CHECK(deep.matches("load.load.relative.shortterm"));
  CHECK(deep.matches("load.load.shortterm"));
  CHECK(GraphiteGlob("a.{b*,c}[0-9]").matches("a.bxx3"));
}

TEST_CASE("the pattern must match the whole name, literal by literal", "[graphite_glob]") {
  CHECK(GraphiteGlob("a.b.c").matches("a.b.c"));
  CHECK_FALSE(GraphiteGlob("a.b.c").matches("a.b.cd"));
  CHECK_FALSE(GraphiteGlob("a.b.c").matches("xa.b.c"));
}

TEST_CASE("find lists matching paths as deep as the pattern, like /metrics/find", "[graphite_glob]") {
  std::vector<std::string> metrics{"collectd.h1.cpu.0.percent.user", "collectd.h1.load.load.shortterm",
                                   "collectd.h2.cpu.0.percent.user", "dataiku.dss.inst1.backend.x"};
  CHECK(GraphiteGlob("collectd.*").find(metrics) == std::set<std::string>{"collectd.h1", "collectd.h2"});
  CHECK(GraphiteGlob("collectd.h1.*").find(metrics) == std::set<std::string>{"collectd.h1.cpu", "collectd.h1.load"});
  CHECK(GraphiteGlob("nothing.*").find(metrics).empty());
  CHECK(GraphiteGlob("collectd.h1.cpu.0.percent.user.more").find(metrics).empty());
  CHECK(GraphiteGlob("collectd.*.cpu.*.percent.user").matches_any(metrics));
  CHECK_FALSE(GraphiteGlob("collectd.*.cpu.*.percent.steal").matches_any(metrics));
}

// Issue 13, item 2: `installer --dss-home DIR` (repeatable) gives collectd one set of DSS
// process matches per data directory, scoped as DSS scopes its own (`java -Ddku.KIND ...
// -cp DIR/bin:`); bad values exit with status 2, name the flag and write nothing. That
// collectd then reports each directory's processes apart is checked with Debian's real
// collectd in the dashboards group (dss_setups_test.cpp).
#include <catch2/catch.hpp>

#include <dkm/install/dss_homes.hpp>

#include <regex.h>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// The ProcessMatch patterns of a rendered processes.conf, as collectd reads and compiles them.
class RenderedMatches {
 public:
  explicit RenderedMatches(const fs::path& processes_conf) {
    CollectdItem conf = parse_collectd_config(read_file(processes_conf));
    for (const auto* m : conf.all("Plugin")[0]->all("ProcessMatch")) {
      regex_t& re = re_[m->values.at(0)];
      if (::regcomp(&re, m->values.at(1).c_str(), REG_EXTENDED | REG_NOSUB) != 0)
        throw Error("pattern of " + m->values.at(0) + " does not compile: " + m->values.at(1));
    }
  }
  ~RenderedMatches() {
    for (auto& [name, re] : re_) ::regfree(&re);
  }
  RenderedMatches(const RenderedMatches&) = delete;
  RenderedMatches& operator=(const RenderedMatches&) = delete;

  /// The match names.
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& [name, re] : re_) out.insert(name);
    return out;
  }
  /// Whether match `name` takes `cmdline` (arguments joined by spaces, as collectd joins them).
  bool matches(const std::string& name, const std::string& cmdline) const {
    return ::regexec(&re_.at(name), cmdline.c_str(), 0, nullptr, 0) == 0;
  }

 private:
  std::map<std::string, regex_t> re_;
};

}  // namespace

TEST_CASE("installer --dss-home: one set of matches per data directory, each taking its own processes only",
          "[installer][collectd][dss-home]") {
  TempDir tmp{"dkm-dss-home-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  fs::path design = tmp.path() / "data" / "dss.design", design2 = tmp.path() / "data" / "dss.design2";
  fs::create_directories(design);
  fs::create_directories(design2);
  dkm::InstallLayout layout(tmp.path() / "inst");
  RunResult r = run_installer(bundle, {"-d", layout.root().string(), "-p", "27600", "-t", "agent", "--hostname", "a.b",
                                       "--dss-home", design.string(), "--dss-home", design2.string() + "/"});
  INFO(r.output);
  REQUIRE(r.ok());
  // collectd accepts the rendered config (test mode).
  RunResult t = run_process({"/usr/sbin/collectd", "-t", "-C", (layout.conf() / "collectd.conf").string()});
  INFO(t.output);
  CHECK(t.ok());

  RenderedMatches m(layout.conf() / "collectd.d/processes.conf");
  std::string one = dkm::install::dss_home_label(design), two = dkm::install::dss_home_label(design2);
  std::set<std::string> expected;
  for (const char* kind : {"backend", "jek", "fek", "cak"})
    for (const auto& label : {one, two}) expected.insert(std::string("dss_") + kind + "-" + label);
  CHECK(m.names() == expected);
  auto cmdline = [](const std::string& kind, const fs::path& dir) { return join(dss_java_argv(kind, dir), " "); };
  for (const char* kind : {"backend", "jek", "fek", "cak"}) {
    INFO(kind);
    CHECK(m.matches(std::string("dss_") + kind + "-" + one, cmdline(kind, design)));
    CHECK(m.matches(std::string("dss_") + kind + "-" + two, cmdline(kind, design2)));
    // Not the other instance's, though its directory begins the same, nor a '.' taken for any character.
    CHECK_FALSE(m.matches(std::string("dss_") + kind + "-" + one, cmdline(kind, design2)));
    CHECK_FALSE(m.matches(std::string("dss_") + kind + "-" + one, cmdline(kind, tmp.path() / "data" / "dssXdesign")));
  }
  CHECK_FALSE(m.matches("dss_jek-" + one, cmdline("backend", design)));
  CHECK_FALSE(m.matches("dss_backend-" + one, "python -Ddku.backend -cp " + design.string() + "/bin:x"));
}

TEST_CASE("bad --dss-home values: exit 2, the flag named, nothing written", "[installer][bad-input][dss-home]") {
  BadInputSetup s;
  fs::path home = s.tmp.path() / "dss_data";
  fs::create_directories(home);
  fs::create_directories(s.tmp.path() / "with space");
  std::vector<std::string> agent{"-d", s.dir.string(), "-p", "27600", "-t", "agent", "--hostname", "a.b"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = agent;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_refused(s, with({"--dss-home", "dss_data"}), {"--dss-home", "'dss_data' is not absolute"});
  expect_refused(s, with({"--dss-home", ""}), {"--dss-home", "empty"});
  expect_refused(s, with({"--dss-home", (s.tmp.path() / "missing").string()}), {"--dss-home", "not a directory"});
  expect_refused(s, with({"--dss-home", (s.tmp.path() / "with space").string()}), {"--dss-home", "contains ' '"});
  expect_refused(s, with({"--dss-home", home.string(), "--dss-home", home.string()}), {"--dss-home", "given twice"});
  expect_refused(s, with({"--dss-home"}), {"dss-home"});
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "server", "--dss-home", home.string()},
                 {"--dss-home", "runs no collectd"});
  CHECK_FALSE(fs::exists(s.dir));
}

TEST_CASE("the installer's --help documents --dss-home", "[installer][dss-home]") {
  BadInputSetup s;
  RunResult r = run_installer(s.bundle, {"--help"});
  CHECK(r.ok());
  for (const char* text : {"--dss-home DIR", "repeatable", "dss_KIND-LABEL", "-cp DIR/bin:"})
    CHECK_THAT(r.output, Catch::Contains(text));
}

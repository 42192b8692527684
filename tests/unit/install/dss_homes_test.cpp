// install/dss_homes: the --dss-home values, their labels and their collectd patterns.
#include <catch2/catch.hpp>

#include "installer_command_line.hpp"

#include <dkm/core/temp_dir.hpp>
#include <dkm/install/dss_homes.hpp>
#include <dkm/install/options.hpp>

#include <regex.h>

using namespace dkm;
using namespace dkm::install;

namespace {

std::vector<DssHome> parse(const std::vector<std::string>& values) { return parse_dss_homes(values, path_problem); }

/// The installer's command line, parsed and checked as the installer does it.
InstallOptions parse_install_options(const std::vector<std::string>& args) {
  return installer::parse_installer_command_line(args).options;
}

}  // namespace

TEST_CASE("a data directory becomes one metric-path node", "[dss-home]") {
  CHECK(dss_home_label("/data/dss-design") == "data_dss-design");
  CHECK(dss_home_label("/home/dataiku/dss.data") == "home_dataiku_dss_data");
  CHECK(dss_home_label("/srv/a+b@c,d:e=f~g") == "srv_a_b_c_d_e_f_g");
}

TEST_CASE("a path reads literally as a POSIX extended regular expression", "[dss-home]") {
  std::string literal = posix_regex_literal("/data/dss.1+(x)");
  CHECK(literal == "/data/dss\\.1\\+\\(x\\)");
  regex_t re;
  REQUIRE(::regcomp(&re, ("^" + literal + "$").c_str(), REG_EXTENDED | REG_NOSUB) == 0);
  CHECK(::regexec(&re, "/data/dss.1+(x)", 0, nullptr, 0) == 0);
  CHECK(::regexec(&re, "/data/dssX1+(x)", 0, nullptr, 0) != 0);
  ::regfree(&re);
}

TEST_CASE("the template sees one set of matches per directory, or one for the whole host", "[dss-home]") {
  TempDir tmp{"dkm-dss-home-"};
  fs::create_directories(tmp.path() / "dss.design");
  auto homes = parse({(tmp.path() / "dss.design").string() + "/"});
  REQUIRE(homes.size() == 1);
  CHECK(homes[0].directory == tmp.path() / "dss.design");
  auto sets = dss_process_sets_template_values(homes);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0]["suffix"] == "-" + dss_home_label(tmp.path() / "dss.design"));
  std::string after = sets[0]["after"];
  CHECK(after.find("dss\\\\.design/bin:") != std::string::npos);  // \\. in the file, \. for collectd
  auto unscoped = dss_process_sets_template_values({});
  REQUIRE(unscoped.size() == 1);
  CHECK(unscoped[0]["suffix"] == "");
  CHECK(unscoped[0]["after"] == "( |$)");
}

TEST_CASE("bad --dss-home values are refused, naming the flag", "[dss-home]") {
  TempDir tmp{"dkm-dss-home-"};
  fs::create_directories(tmp.path() / "a" / "b_c");
  fs::create_directories(tmp.path() / "a_b" / "c");
  fs::create_directories(tmp.path() / "odd dir");
  std::string a = (tmp.path() / "a" / "b_c").string();
  CHECK_THROWS_WITH(parse({""}), "--dss-home: the directory name is empty");
  CHECK_THROWS_WITH(parse({"data/dss"}), Catch::StartsWith("--dss-home: 'data/dss' is not absolute"));
  CHECK_THROWS_WITH(parse({"/"}), Catch::Contains("root directory"));
  CHECK_THROWS_WITH(parse({(tmp.path() / "missing").string()}), Catch::EndsWith("is not a directory"));
  CHECK_THROWS_WITH(parse({(tmp.path() / "odd dir").string()}), Catch::Contains("contains ' '"));
  CHECK_THROWS_WITH(parse({a, a + "/."}), Catch::EndsWith("is given twice"));
  CHECK_THROWS_WITH(parse({a, (tmp.path() / "a_b" / "c").string()}), Catch::Contains("would both be named"));
  std::string longest = "/" + std::string(kMaxDssLabel + 1, 'x');
  CHECK_THROWS_WITH(parse({longest}), Catch::Contains("too long"));
  CHECK(parse({a, (tmp.path() / "a_b").string()}).size() == 2);
}

TEST_CASE("the --dss-home flag goes with collectd and repeats", "[dss-home]") {
  TempDir tmp{"dkm-dss-home-"};
  fs::create_directories(tmp.path() / "one");
  fs::create_directories(tmp.path() / "two");
  auto opt = parse_install_options({"-d", (tmp.path() / "i").string(), "-p", "27600", "-t", "agent", "--dss-home",
                                    (tmp.path() / "one").string(), "--dss-home", (tmp.path() / "two").string()});
  REQUIRE(opt.dss_homes.size() == 2);
  CHECK(opt.dss_homes[1].directory == tmp.path() / "two");
  CHECK_THROWS_WITH(parse_install_options({"-d", (tmp.path() / "i").string(), "-p", "27600", "-t", "server",
                                           "--dss-home", (tmp.path() / "one").string()}),
                    Catch::StartsWith("--dss-home names DSS data directories") && Catch::Contains("runs no collectd"));
}

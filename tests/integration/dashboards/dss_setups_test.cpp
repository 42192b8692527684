// Issue 13: the DSS dashboards show any DSS node however it is hooked up. For each setup
// of dss_lab.hpp (Debian's real collectd 5.12 configured as DSS configures its own, or
// dkumonitor's agent with --dss-home; DSS's processes as stand-ins; DSS's backend lines),
// every DSS dashboard's variables are resolved as Grafana resolves them, against the
// names carbon received: the pickers list exactly the setup's DSS nodes and collectd
// roots, at least 80 % of the panel targets read a received series, and each instance's
// process series count its own processes only.
#include "dashboard_checks.hpp"
#include "dss_lab.hpp"

#include <catch2/catch.hpp>

#include <dkm/install/dss_homes.hpp>

#include <iostream>

using namespace dkm;
using namespace dkm::test;

namespace {

/// The values of a dashboard's variable `name`, resolved against `names`.
std::set<std::string> option_values(const dkm::test::Dashboard& d, const std::string& name,
                                    const std::set<std::string>& names) {
  std::set<std::string> out;
  auto resolved = resolve_dashboard_variables(d, metrics_api_over(names));
  for (const auto& option : resolved.at(name).options) out.insert(option.value);
  return out;
}

/// The series counting an instance's processes of `kind`, by DSS's collectd or the agent.
std::string process_count_path(const DssLab& lab, const DssInstanceSpec& instance, const std::string& kind) {
  if (instance.own_collectd) return instance.prefix + ".collectd.processes.dss_" + kind + ".ps_count.processes";
  return "collectd." + kDssAgentNode + ".processes.dss_" + kind + "-" +
         dkm::install::dss_home_label(lab.data_dir(instance)) + ".ps_count.processes";
}

void check_setup(const DssSetup& setup) {
  DssLab lab(setup);
  bool reported = lab.wait_reported(5);
  INFO("collectd logs:\n" << lab.logs());
  REQUIRE(reported);
  std::set<std::string> names = lab.names();

  dkm::test::Dashboard backend = shipped_dashboard("dkumonitor-dss-backend");
  dkm::test::Dashboard host = shipped_dashboard("dkumonitor-dss-host");
  std::set<std::string> prefixes, roots;
  for (const auto& instance : setup.instances) prefixes.insert(instance.prefix);
  for (const auto& root : lab.collectd_roots()) roots.insert(root);
  CHECK(option_values(backend, "instance", names) == prefixes);
  CHECK(option_values(host, "node", names) == roots);

  std::cout << "DSS setup '" << setup.name << "' (" << names.size() << " metrics):";
  for (const auto& d : {backend, host}) {
    TargetCoverage c = target_coverage(d, names);
    INFO(d.title << ": " << c.error << " targets without data: " << join(c.empty, ", "));
    CHECK(c.error.empty());
    CHECK(c.share() >= 0.8);
    std::cout << " " << d.title << " " << c.with_data << "/" << c.total << " targets with data"
              << (c.empty.empty() ? "" : " (none for " + join(c.empty, ", ") + ")") << ";";
  }
  std::cout << "\n";

  // Each instance's series count its own processes: one backend, one FEK, its JEKs.
  for (const auto& instance : setup.instances) {
    INFO(instance.prefix);
    CHECK(lab.last_value(process_count_path(lab, instance, "backend")) == "1");
    CHECK(lab.last_value(process_count_path(lab, instance, "fek")) == "1");
    CHECK(lab.last_value(process_count_path(lab, instance, "jek")) == std::to_string(instance.jeks));
    CHECK(lab.last_value(process_count_path(lab, instance, "cak")) == "0");
  }
}

}  // namespace

TEST_CASE("DSS setup: default prefix with a 2-label FQDN", "[dashboards][dss]") { check_setup(dss_setups()[0]); }
TEST_CASE("DSS setup: default prefix with a 4-label FQDN", "[dashboards][dss]") { check_setup(dss_setups()[1]); }
TEST_CASE("DSS setup: default prefix with a 5-label FQDN", "[dashboards][dss]") { check_setup(dss_setups()[2]); }
TEST_CASE("DSS setup: custom 3-node prefix", "[dashboards][dss]") { check_setup(dss_setups()[3]); }
TEST_CASE("DSS setup: the original README's dataiku.dss.NAME", "[dashboards][dss]") { check_setup(dss_setups()[4]); }
TEST_CASE("DSS setup: two instances on one host", "[dashboards][dss]") { check_setup(dss_setups()[5]); }
TEST_CASE("DSS setup: dkumonitor's agent with --dss-home for two data directories", "[dashboards][dss]") {
  check_setup(dss_setups()[6]);
}

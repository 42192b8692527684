// install/collectd_metric_set: the metrics the installer's collectd config sends for a host.
// The figures themselves are checked against Debian's collectd running the rendered config
// (tests/integration/installer/install_metric_set_test.cpp); here, how they add up.
#include <catch2/catch.hpp>

#include <dkm/install/collectd_metric_set.hpp>

using namespace dkm::install;

TEST_CASE("the reference host: the capacity benchmark's 117 metrics and its disk's pending operations", "[metric_set]") {
  // The benchmark's capture of the bundle's collectd 5.12 on a 2-CPU host with one file
  // system, disk and interface, no swap: 120 metrics, 117 with a value (the swap
  // percentages are NaN there, and go-carbon stores no NaN); its disk had no request in
  // flight during the 12 s capture, so disk.DISK.pending_operations, which collectd sends
  // from the first read that finds one, was not among them yet.
  CHECK(collectd_metric_count(reference_host()) == 118);
  CHECK(describe_host(reference_host()) ==
        "2 CPUs, 1 file system, 1 disk, 1 network interface, no swap, no DSS process running");
}

TEST_CASE("each CPU, file system, disk, interface and DSS process adds its plugin's metrics", "[metric_set]") {
  HostShape base = reference_host();
  auto added = [&](auto change) {
    HostShape h = base;
    change(h);
    return collectd_metric_count(h) - collectd_metric_count(base);
  };
  CHECK(added([](HostShape& h) { h.cpus += 1; }) == 10);
  CHECK(added([](HostShape& h) { h.file_systems += 1; }) == 6);
  CHECK(added([](HostShape& h) { h.disks += 1; }) == 11);
  CHECK(added([](HostShape& h) { h.interfaces += 1; }) == 8);
  CHECK(added([](HostShape& h) { h.swap = true; }) == 3);
  CHECK(added([](HostShape& h) { h.dss_processes_running = 3; }) == 27);  // backend, JEK, FEK
  CHECK(added([](HostShape& h) { h.dss_process_sets = 2; }) == 44);        // a second --dss-home
  // A 32-CPU server with 4 file systems, 2 disks, 2 interfaces, swap and DSS running.
  HostShape big{32, 4, 2, 2, true, 1, 3};
  CHECK(collectd_metric_count(big) == 321 + 24 + 22 + 16 + 3 + 12 + (7 + 44 + 27) + 8 + 1);
}

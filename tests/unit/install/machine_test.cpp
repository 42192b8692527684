// install/machine: cores and memory from the kernel's texts, narrowed by control groups.
#include <catch2/catch.hpp>

#include <dkm/install/machine.hpp>

using namespace dkm::install;

TEST_CASE("MemTotal is read in KiB and given in bytes", "[machine]") {
  CHECK(meminfo_total_bytes("MemTotal:       24684084 kB\nMemFree:         9821912 kB\n") == 24684084ull * 1024);
  CHECK(meminfo_total_bytes("MemFree:  1 kB\nMemTotal: 2048 kB\n") == 2048ull * 1024);
  CHECK_FALSE(meminfo_total_bytes("MemFree: 1 kB\n"));
  CHECK_FALSE(meminfo_total_bytes("MemTotal: lots kB\n"));
}

TEST_CASE("a control group's memory limit, and the ways of saying there is none", "[machine]") {
  CHECK(cgroup_memory_limit("4294967296\n") == 4294967296ull);  // v2 memory.max, v1 limit_in_bytes
  CHECK_FALSE(cgroup_memory_limit("max\n"));                    // v2: no limit
  CHECK_FALSE(cgroup_memory_limit("9223372036854771712\n"));   // v1: no limit
  CHECK_FALSE(cgroup_memory_limit(""));                         // no such file
}

TEST_CASE("a CPU quota gives whole cores, rounded up", "[machine]") {
  CHECK(cgroup_cpu_quota_cores("200000 100000\n") == 2u);  // v2 cpu.max
  CHECK(cgroup_cpu_quota_cores("150000 100000") == 2u);    // 1.5 cores: 2 to use
  CHECK(cgroup_cpu_quota_cores("50000 100000") == 1u);
  CHECK_FALSE(cgroup_cpu_quota_cores("max 100000\n"));     // v2: no quota
  CHECK_FALSE(cgroup_cpu_quota_cores("-1 100000"));        // v1: no quota
  CHECK_FALSE(cgroup_cpu_quota_cores(" "));                // neither file
}

TEST_CASE("the control group directories of this process, nearest first, up to the mount", "[machine]") {
  const char* v2 = "0::/system.slice/dkumonitor.service\n";
  CHECK(cgroup_directories(v2, "memory") ==
        std::vector<std::string>{"/sys/fs/cgroup/system.slice/dkumonitor.service", "/sys/fs/cgroup/system.slice",
                                 "/sys/fs/cgroup"});
  const char* v1 = "9:name=systemd:/\n4:memory:/process_api/0f1c\n2:cpu,cpuacct:/docker/ab\n0::/\n";
  CHECK(cgroup_directories(v1, "memory") ==
        std::vector<std::string>{"/sys/fs/cgroup/memory/process_api/0f1c", "/sys/fs/cgroup/memory/process_api",
                                 "/sys/fs/cgroup/memory", "/sys/fs/cgroup"});
  CHECK(cgroup_directories(v1, "cpu") == std::vector<std::string>{"/sys/fs/cgroup/cpu,cpuacct/docker/ab",
                                                                  "/sys/fs/cgroup/cpu,cpuacct/docker",
                                                                  "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup"});
}

TEST_CASE("this machine has a core and memory", "[machine]") {
  Machine m = read_machine();
  CHECK(m.cores >= 1);
  CHECK(m.memory_bytes >= (std::uint64_t{64} << 20));
  CHECK(describe_machine({2, std::uint64_t{24684084} * 1024}) == "2 cores, 23.5 GiB");
  CHECK(describe_machine({1, std::uint64_t{1} << 30}) == "1 core, 1.0 GiB");
}

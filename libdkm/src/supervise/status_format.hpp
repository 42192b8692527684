#pragma once
// `dkm status` lines, laid out as supervisorctl lays them out:
//   carbon                           RUNNING   pid 4242, uptime 1:02:03
//   grafana                          FATAL     Exited too quickly (process log may have details)
// Implementation: libdkm/src/supervise/status_format.cpp.

#include <ctime>

#include "control_protocol.hpp"
#include <string>
#include <vector>

namespace dkm::supervise {

/// "H:MM:SS", or "N days, H:MM:SS" past a day (supervisord's form).
std::string format_uptime(double seconds);

/// A wall-clock time as supervisord shows it ("May 01 02:03 PM"), in local time.
std::string format_when(std::int64_t epoch);

/// The description column of one service.
std::string describe_status(const ServiceStatus& s);

/// One line per service: name padded like supervisorctl (at least 30 + 3), state padded to 10.
std::string format_status_lines(const std::vector<ServiceStatus>& services);

}  // namespace dkm::supervise

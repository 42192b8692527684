// `dkm status` lines, laid out as supervisorctl lays them out.
#include "control_protocol.hpp"
#include "status_format.hpp"

#include <ctime>
#include <string>
#include <vector>

namespace dkm::supervise {

std::string format_uptime(double seconds) {
  long total = seconds < 0 ? 0 : static_cast<long>(seconds);
  long days = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, s = total % 60;
  char clock[32];
  std::snprintf(clock, sizeof clock, "%ld:%02ld:%02ld", h, m, s);
  if (days == 0) return clock;
  return std::to_string(days) + (days == 1 ? " day, " : " days, ") + clock;
}

std::string format_when(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm local{};
  ::localtime_r(&t, &local);
  char text[64];
  std::strftime(text, sizeof text, "%b %d %I:%M %p", &local);
  return text;
}

std::string describe_status(const ServiceStatus& s) {
  auto with_detail = [&](std::string text) {
    if (!s.detail.empty()) text += ", " + s.detail;
    return text;
  };
  switch (s.state) {
    case ServiceState::kRunning:
      return "pid " + std::to_string(s.pid) + ", uptime " + format_uptime(s.uptime);
    case ServiceState::kStarting:
    case ServiceState::kStopping:
      return s.pid ? with_detail("pid " + std::to_string(s.pid)) : s.detail;
    case ServiceState::kStopped:
      return with_detail(s.since == 0 ? "Not started" : format_when(s.since));
    case ServiceState::kExited:
      return s.detail.empty() ? format_when(s.since) : s.detail + ", " + format_when(s.since);
    default:
      return s.detail;
  }
}

std::string format_status_lines(const std::vector<ServiceStatus>& services) {
  std::size_t width = 30;
  for (const auto& s : services) width = std::max(width, namespec(s.group, s.name).size());
  std::string out;
  for (const auto& s : services) {
    std::string line = namespec(s.group, s.name);
    line.resize(width + 3, ' ');
    std::string state = state_name(s.state);
    state.resize(std::max<std::size_t>(state.size(), 10), ' ');
    line += state + describe_status(s);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace dkm::supervise

// The states of a supervised service, named as supervisord names them.
#include "service_state.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace dkm::supervise {

const char* state_name(ServiceState state) {
  switch (state) {
    case ServiceState::kStopped: return "STOPPED";
    case ServiceState::kStarting: return "STARTING";
    case ServiceState::kRunning: return "RUNNING";
    case ServiceState::kBackoff: return "BACKOFF";
    case ServiceState::kStopping: return "STOPPING";
    case ServiceState::kExited: return "EXITED";
    case ServiceState::kFatal: return "FATAL";
    case ServiceState::kUnknown: break;
  }
  return "UNKNOWN";
}

ServiceState state_from_name(std::string_view name) {
  for (auto s : {ServiceState::kStopped, ServiceState::kStarting, ServiceState::kRunning, ServiceState::kBackoff,
                 ServiceState::kStopping, ServiceState::kExited, ServiceState::kFatal})
    if (name == state_name(s)) return s;
  return ServiceState::kUnknown;
}

}  // namespace dkm::supervise

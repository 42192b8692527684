#pragma once
// The states of a supervised service, named as supervisord names them.
//
//   STOPPED --start--> STARTING --probe answers / startsecs--> RUNNING
//   STARTING --exits--> BACKOFF --delay--> STARTING ... --startretries failures--> FATAL
//   RUNNING --exits--> EXITED (--autorestart--> STARTING)
//   STARTING/RUNNING --stop--> STOPPING --group gone--> STOPPED

#include <optional>
#include <string>
#include <string_view>

namespace dkm::supervise {

/// A service's state (supervisord's names and meanings).
enum class ServiceState { kStopped, kStarting, kRunning, kBackoff, kStopping, kExited, kFatal, kUnknown };

/// "RUNNING", "STOPPED", ...
inline const char* state_name(ServiceState state) {
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

/// The state named `name`; UNKNOWN for anything else.
inline ServiceState state_from_name(std::string_view name) {
  for (auto s : {ServiceState::kStopped, ServiceState::kStarting, ServiceState::kRunning, ServiceState::kBackoff,
                 ServiceState::kStopping, ServiceState::kExited, ServiceState::kFatal})
    if (name == state_name(s)) return s;
  return ServiceState::kUnknown;
}

/// True for the states in which the service has no process (supervisord's STOPPED_STATES).
inline bool is_stopped_state(ServiceState state) {
  return state == ServiceState::kStopped || state == ServiceState::kExited || state == ServiceState::kFatal ||
         state == ServiceState::kUnknown;
}

/// True while a process of the service exists or is about to be spawned.
inline bool is_active_state(ServiceState state) {
  return state == ServiceState::kStarting || state == ServiceState::kRunning || state == ServiceState::kBackoff ||
         state == ServiceState::kStopping;
}

}  // namespace dkm::supervise

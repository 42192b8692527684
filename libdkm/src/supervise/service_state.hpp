#pragma once
// The states of a supervised service, named as supervisord names them.
//
//   STOPPED --start--> STARTING --probe answers / startsecs--> RUNNING
//   STARTING --exits--> BACKOFF --delay--> STARTING ... --startretries failures--> FATAL
//   RUNNING --exits--> EXITED (--autorestart--> STARTING)
//   STARTING/RUNNING --stop--> STOPPING --group gone--> STOPPED
// Implementation: libdkm/src/supervise/service_state.cpp.

#include <optional>
#include <string>
#include <string_view>

namespace dkm::supervise {

/// A service's state (supervisord's names and meanings).
enum class ServiceState { kStopped, kStarting, kRunning, kBackoff, kStopping, kExited, kFatal, kUnknown };

/// "RUNNING", "STOPPED", ...
const char* state_name(ServiceState state);

/// The state named `name`; UNKNOWN for anything else.
ServiceState state_from_name(std::string_view name);

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

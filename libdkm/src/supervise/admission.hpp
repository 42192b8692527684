#pragma once
// Which connections the control socket keeps when it is full. A client that connects and
// says nothing holds a connection until its request deadline; enough of them used to
// lock every `dkm` command out. Now an idle connection (no complete request yet) makes
// room for a new one, the oldest idle one of the account that holds the most first, and
// each account has a share of its own; when every connection is a request in progress,
// the new client is told "the supervisor is busy" instead of being cut off.
// No system call: control_server.cpp applies it.
// Implementation: libdkm/src/supervise/admission.cpp.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dkm::supervise {

/// Connections the supervisor serves at once.
inline constexpr std::size_t kMaxConnections = 64;
/// Connections one account (uid) may hold at once.
inline constexpr std::size_t kMaxConnectionsPerUid = 32;

/// An open connection as the admission sees it.
struct OpenConnection {
  std::uint64_t id = 0;
  uid_t uid = 0;
  bool idle = false;  ///< its request is not complete yet
};

/// What to do with a new connection.
struct Admission {
  enum class Kind {
    kAccept,  ///< there is room
    kEvict,   ///< close `evict` (idle), then accept
    kBusy,    ///< every connection that could make room is a request in progress: answer "busy"
  };
  Kind kind = Kind::kAccept;
  std::uint64_t evict = 0;
};

/// The decision for a new connection of `uid`, given the `open` ones in the order they
/// were accepted (oldest first), at most `total` in all and `per_uid` for one account.
Admission admit(const std::vector<OpenConnection>& open, uid_t uid, std::size_t total = kMaxConnections,
                std::size_t per_uid = kMaxConnectionsPerUid);

}  // namespace dkm::supervise

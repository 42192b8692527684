// Which connections the control socket keeps when it is full.
#include "admission.hpp"

#include <map>

namespace dkm::supervise {

Admission admit(const std::vector<OpenConnection>& open, uid_t uid, std::size_t total, std::size_t per_uid) {
  std::map<uid_t, std::size_t> held, idle;
  for (const auto& c : open) {
    ++held[c.uid];
    if (c.idle) ++idle[c.uid];
  }
  // The oldest idle connection of `from`.
  auto oldest_idle = [&](uid_t from) -> Admission {
    for (const auto& c : open)
      if (c.uid == from && c.idle) return {Admission::Kind::kEvict, c.id};
    return {Admission::Kind::kBusy, 0};
  };
  if (held[uid] >= per_uid) return oldest_idle(uid);
  if (open.size() < total) return {Admission::Kind::kAccept, 0};
  // Full: the account with the most idle connections gives one up.
  uid_t most = 0;
  std::size_t most_idle = 0;
  for (const auto& [u, n] : idle)
    if (n > most_idle) most = u, most_idle = n;
  if (most_idle == 0) return {Admission::Kind::kBusy, 0};
  return oldest_idle(most);
}

}  // namespace dkm::supervise

// supervise/admission: a full control socket makes room by closing idle connections, the
// account holding the most first, and answers "busy" only when all are requests in progress.
#include <catch2/catch.hpp>

#include "supervise/admission.hpp"

using namespace dkm::supervise;

namespace {

std::vector<OpenConnection> connections(std::size_t count, uid_t uid, bool idle, std::uint64_t first_id = 1) {
  std::vector<OpenConnection> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back({first_id + i, uid, idle});
  return out;
}

}  // namespace

TEST_CASE("below the caps a connection is accepted", "[admission]") {
  CHECK(admit({}, 0).kind == Admission::Kind::kAccept);
  CHECK(admit(connections(10, 0, true), 0).kind == Admission::Kind::kAccept);
}

TEST_CASE("an account at its share gives up its oldest idle connection, or is told the supervisor is busy",
          "[admission]") {
  auto open = connections(3, 1000, false);
  auto more = connections(2, 1000, true, 10);
  open.insert(open.end(), more.begin(), more.end());
  Admission a = admit(open, 1000, 64, 5);
  CHECK(a.kind == Admission::Kind::kEvict);
  CHECK(a.evict == 10);
  CHECK(admit(connections(5, 1000, false), 1000, 64, 5).kind == Admission::Kind::kBusy);
  // Another account is not held back by this one's share.
  CHECK(admit(connections(5, 1000, false), 0, 64, 5).kind == Admission::Kind::kAccept);
}

TEST_CASE("a full socket closes the oldest idle connection of the account holding the most idle ones",
          "[admission]") {
  auto open = connections(4, 2000, true, 1);        // an account with 4 idle connections
  auto owner = connections(2, 1000, true, 20);      // the owner's 2 idle ones
  auto busy = connections(2, 1000, false, 30);      // and 2 in progress
  open.insert(open.end(), owner.begin(), owner.end());
  open.insert(open.end(), busy.begin(), busy.end());
  Admission a = admit(open, 1000, 8, 8);
  CHECK(a.kind == Admission::Kind::kEvict);
  CHECK(a.evict == 1);
  CHECK(admit(connections(8, 1000, false), 0, 8, 8).kind == Admission::Kind::kBusy);
}

TEST_CASE("64 idle connections of one account do not keep that account out", "[admission]") {
  // One account holds the whole socket with idle connections: its next one still gets in.
  Admission a = admit(connections(kMaxConnectionsPerUid, 0, true), 0);
  CHECK(a.kind == Admission::Kind::kEvict);
  CHECK(a.evict == 1);
}

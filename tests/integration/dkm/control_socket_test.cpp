// The control socket: owner-only, peer uid checked, bad requests answered with an
// error while the supervisor keeps running.
#include "dkm_harness.hpp"

#include "supervise/control_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

using namespace dkm;
using namespace dkm::test;

namespace {

/// In a child running as `uid`, connects to the socket and sends a status request;
/// returns "connect: <errno text>" or the answer.
std::string exchange_as(uid_t uid, const fs::path& socket) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(out[0]);
    ::signal(SIGPIPE, SIG_IGN);  // a refused write must not end the child before it reports
    std::string result;
    if (::setgid(uid) != 0 || ::setuid(uid) != 0) {
      result = "setuid failed";
    } else {
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      socket.string().copy(addr.sun_path, sizeof addr.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        result = std::string("connect: ") + std::strerror(errno);
      } else {
        std::string req = "{\"command\":\"status\"}\n";
        (void)!::write(fd, req.data(), req.size());
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) result.append(buf, static_cast<size_t>(n));
      }
    }
    (void)!::write(out[1], result.data(), result.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string result;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) result.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status;
  ::waitpid(child, &status, 0);
  return result;
}

}  // namespace

TEST_CASE("another uid is refused on the control socket", "[dkm][socket]") {
  if (::geteuid() != 0) return;  // needs root to become another user
  DkmInstall inst("[program:s]\ncommand = " + fixture_program("sleeper") + "\nautostart = false\n");
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  fs::path socket = inst.layout().control_socket();
  struct stat st {};
  REQUIRE(::stat(socket.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  const uid_t nobody = 65534;
  // The file's mode stops another user at connect().
  fs::permissions(inst.scratch(""), fs::perms::all, fs::perm_options::add);
  fs::permissions(inst.layout().root(), fs::perms::all, fs::perm_options::add);
  fs::permissions(inst.layout().run(), fs::perms::all, fs::perm_options::add);
  CHECK(exchange_as(nobody, socket) == "connect: Permission denied");

  // Even with the file opened up, the supervisor checks the peer's uid itself.
  fs::permissions(socket, fs::perms::all, fs::perm_options::add);
  std::string answer = exchange_as(nobody, socket);
  INFO(answer);
  CHECK(answer.find("\"ok\":false") != std::string::npos);
  CHECK(answer.find("permission denied: uid 65534") != std::string::npos);
  CHECK(answer.find("RUNNING") == std::string::npos);

  CHECK(inst.dkm({"status"}).exit_code == 0);
}

TEST_CASE("malformed and oversized requests get an error and the supervisor keeps running", "[dkm][socket]") {
  DkmInstall inst("[program:s]\ncommand = " + fixture_program("sleeper") + "\nautostart = false\n");
  REQUIRE(inst.dkm({"start"}).exit_code == 0);
  pid_t supervisor = inst.supervisor_pid();
  fs::path socket = inst.layout().control_socket();

  struct Case {
    std::string bytes, error;
  };
  std::vector<Case> cases{
      {"this is not json\n", "not JSON"},
      {"[1, 2, 3]\n", "not a JSON object"},
      {"{\"command\": \"explode\"}\n", "unknown command"},
      {"{\"command\": \"status\", \"names\": [\"../../etc\"]}\n", "not a service name"},
      {"{\"command\": \"start\", \"timeout\": -5}\n", "out of range"},
      {"{\"command\": \"status\", \"extra\": 1}\n", "unknown field"},
      {"{\"names\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}\n", "nested too deeply"},
      {std::string("{\"command\": \"status\"\0}\n", 23), "not JSON"},
      {std::string(200 * 1024, 'x'), "request too large"},
      {"{\"command\": \"status\", \"names\": [\"" + std::string(70000, 'a') + "\"]}\n", "request too large"},
  };
  for (const auto& c : cases) {
    std::string answer = raw_exchange(socket, c.bytes);
    INFO(c.bytes.substr(0, 80) << " -> " << answer);
    CHECK(answer.find("\"ok\":false") != std::string::npos);
    CHECK(answer.find(c.error) != std::string::npos);
  }
  // A client that connects and says nothing, or half a request, then leaves.
  int idle = dkm::supervise::connect_control_socket(socket);
  REQUIRE(idle >= 0);
  ::close(idle);
  int half = dkm::supervise::connect_control_socket(socket);
  REQUIRE(half >= 0);
  (void)!::write(half, "{\"comm", 6);
  ::close(half);

  RunResult status = inst.dkm({"status"});
  INFO(status.output);
  CHECK(status.exit_code == 0);
  CHECK(inst.supervisor_pid() == supervisor);
  CHECK(dkm::process_alive(supervisor));
  std::string log = read_file(inst.layout().supervisor_log());
  CHECK(log.find("rejected an oversized control request") != std::string::npos);
}

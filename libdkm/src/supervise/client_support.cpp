// What every client command of dkm shares.
#include "client_support.hpp"

#include "control_socket.hpp"

#include <dkm/core/error.hpp>

#include <sys/signalfd.h>

#include <cstdio>

namespace dkm::supervise {

void out(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void err(const std::string& text) {
  std::fflush(stdout);
  std::fputs((text + "\n").c_str(), stderr);
}

std::vector<std::string> request_names(const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (n == "all") return {};
  return names;
}

nlohmann::json ask(int fd, const Request& req, std::chrono::milliseconds timeout) {
  nlohmann::json resp = call_control(fd, req, timeout);
  if (!resp.value("ok", false)) throw Error("the supervisor refused the request: " + resp.value("error", std::string("?")));
  return resp;
}

std::vector<ServiceStatus> statuses_of(const nlohmann::json& resp) {
  std::vector<ServiceStatus> list;
  if (resp.contains("services"))
    for (const auto& j : resp["services"]) list.push_back(j.get<ServiceStatus>());
  return list;
}

std::vector<Outcome> outcomes_of(const nlohmann::json& resp) {
  std::vector<Outcome> list;
  if (resp.contains("results"))
    for (const auto& j : resp["results"]) list.push_back(j.get<Outcome>());
  return list;
}

InterruptWatch::InterruptWatch() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  ::sigprocmask(SIG_BLOCK, &mask, &old_);
  fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) {
    int e = errno;
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
    throw Error("signalfd: " + errno_text(e));
  }
}

InterruptWatch::~InterruptWatch() {
  signalfd_siginfo info;
  while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {}  // consumed, not raised again
  ::close(fd_);
  ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

std::string not_running_message(const InstallLayout& layout) {
  return "dkm: the supervisor is not running (" + layout.root().string() + ")\n";
}

}  // namespace dkm::supervise

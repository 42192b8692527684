// Host names for collectd: checking them, reversing them (host.example.domain gives
#include <dkm/install/hostnames.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <climits>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

std::string hostname_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 253) return "it is longer than 253 characters";
  for (const auto& label : split(name, '.')) {
    if (label.empty()) return "it has an empty label (two dots in a row, or a dot at an end)";
    if (label.size() > 63) return "its label '" + label + "' is longer than 63 characters";
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return std::string("it contains '") + c + "' (only letters, digits, '-' and '.' are allowed)";
    }
    if (label.front() == '-' || label.back() == '-') return "its label '" + label + "' starts or ends with '-'";
  }
  return {};
}

std::string reverse_hostname(std::string_view name) {
  std::vector<std::string> labels = split(name, '.');
  std::reverse(labels.begin(), labels.end());
  return join(labels, ".");
}

std::string local_fqdn() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) throw Error("gethostname: " + std::string(std::strerror(errno)));
  std::string name = buffer;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* result = nullptr;
  if (::getaddrinfo(name.c_str(), nullptr, &hints, &result) == 0 && result) {
    if (result->ai_canonname && hostname_problem(result->ai_canonname).empty()) name = result->ai_canonname;
    ::freeaddrinfo(result);
  }
  return name;
}

}  // namespace dkm::install

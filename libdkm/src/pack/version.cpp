// Dotted version numbers and requirements such as ">= 1.24", as recipes write them
#include "version.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkm::pack {

std::optional<Version> parse_version(std::string_view text) {
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  Version out;
  long value = -1;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      value = (value < 0 ? 0 : value) * 10 + (c - '0');
      if (value > 1000000000L) return std::nullopt;
    } else if (c == '.' && value >= 0) {
      out.push_back(value);
      value = -1;
    } else {
      return std::nullopt;
    }
  }
  if (value < 0) return std::nullopt;
  out.push_back(value);
  return out;
}

std::string version_string(const Version& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "." : "") + std::to_string(v[i]);
  return out;
}

std::optional<Version> find_version(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    size_t end = i;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
    std::string_view candidate = text.substr(i, end - i);
    while (!candidate.empty() && candidate.back() == '.') candidate.remove_suffix(1);
    if (candidate.find('.') == std::string_view::npos) {
      i = end;
      continue;  // a lone number is not a version
    }
    if (auto v = parse_version(candidate)) return v;
    i = end;
  }
  return std::nullopt;
}

int compare_versions(const Version& a, const Version& b) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    long x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

bool satisfies(const Version& found, std::string_view op, const Version& wanted) {
  if (op == "=") {
    for (size_t i = 0; i < wanted.size(); ++i)
      if ((i < found.size() ? found[i] : 0) != wanted[i]) return false;
    return true;
  }
  int c = compare_versions(found, wanted);
  if (op == ">=") return c >= 0;
  if (op == ">") return c > 0;
  if (op == "<=") return c <= 0;
  if (op == "<") return c < 0;
  return false;
}

std::optional<std::pair<std::string, std::string>> parse_requirement(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::string op;
  for (const char* candidate : {">=", "<=", ">", "<", "="}) {
    if (text.substr(0, std::char_traits<char>::length(candidate)) == candidate) {
      op = candidate;
      break;
    }
  }
  if (op.empty()) return std::nullopt;
  text.remove_prefix(op.size());
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!parse_version(text) || text.front() == 'v') return std::nullopt;
  return std::make_pair(op, std::string(text));
}

}  // namespace dkm::pack

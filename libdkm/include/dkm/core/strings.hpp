#pragma once
// Small string helpers shared by every module.
// Implementation: libdkm/src/core/strings.cpp.

#include <string>
#include <string_view>
#include <vector>

namespace dkm {

/// Removes leading and trailing ASCII whitespace.
std::string_view trim(std::string_view s);

/// Splits on one separator; keeps empty fields.
std::vector<std::string> split(std::string_view s, char sep);

/// Joins with a separator.
template <typename Range>
std::string join(const Range& parts, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    if (!first) out += sep;
    out += p;
    first = false;
  }
  return out;
}

/// ASCII lower case.
std::string lower(std::string_view s);

/// Quotes a word for a POSIX shell when it needs it ('it'"'"'s').
std::string shell_quote(std::string_view s);

/// The last `count` lines of a text (all of it when shorter).
std::string last_lines(std::string_view text, size_t count);

}  // namespace dkm

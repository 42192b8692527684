#pragma once
// Dotted version numbers and requirements such as ">= 1.24", as recipes write them
// in [requires] and as toolchains print them (`go version`, `node --version`).
// Implementation: libdkm/src/pack/version.cpp.

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkm::pack {

/// A dotted version: 1.24.0 → {1, 24, 0}.
using Version = std::vector<long>;

/// Parses "1.24", "1.19.8", "v20.1.0" (a leading 'v' is dropped); nullopt when not a version.
std::optional<Version> parse_version(std::string_view text);

/// "1.19.8".
std::string version_string(const Version& v);

/// The first dotted number in a tool's output ("go version go1.19.8 linux/amd64" → 1.19.8).
std::optional<Version> find_version(std::string_view text);

/// Compares numerically, missing components counting as 0: 1.24 == 1.24.0 < 1.24.1.
int compare_versions(const Version& a, const Version& b);

/// Whether `found` satisfies OP `wanted`; "=" matches on the components given (= 1.24 accepts 1.24.3).
bool satisfies(const Version& found, std::string_view op, const Version& wanted);

/// Splits ">= 1.24" into {">=", "1.24"}; nullopt when malformed.
std::optional<std::pair<std::string, std::string>> parse_requirement(std::string_view text);

}  // namespace dkm::pack

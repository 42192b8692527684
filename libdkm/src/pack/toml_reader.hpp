#pragma once
// Reading one TOML table of a recipe with toml++: each key's type checked, the keys that
// were read remembered and every other key refused, every error at FILE:LINE.
// Implementation: libdkm/src/pack/toml_reader.cpp.

#include <dkm/pack/recipe.hpp>

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::pack {

/// "a table", "a string", ... for messages.
std::string type_name(const toml::node& node);
/// The line a node starts on.
inline long line_of(const toml::node& node) { return static_cast<long>(node.source().begin.line); }
/// True when `s` is `size` lower-case hex digits.
bool is_hex(std::string_view s, size_t size);

/// Reads the keys of one table, remembers which were read, and rejects the others.
class TableReader {
 public:
  /// The table `prefix` (for messages) of `file`, which starts at `line`.
  TableReader(const toml::table& table, std::string prefix, const std::string& file, long line)
      : table_(table), prefix_(std::move(prefix)), file_(file), line_(line) {}

  /// "FILE:LINE: key 'prefix.key': message".
  [[noreturn]] void fail(std::string_view key, long line, const std::string& message) const;
  /// The dotted name of a key of this table.
  std::string dotted(std::string_view key) const { return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key); }
  /// The line of a key that is present (of the table when absent).
  long line(std::string_view key) const;
  /// True when the key is present.
  bool has(std::string_view key) const { return table_.contains(key); }
  /// The node of a key (nullptr when absent); the key counts as read.
  const toml::node* node(std::string_view key);

  /// A string, if present.
  std::optional<std::string> opt_string(std::string_view key);
  /// A required, non-empty string.
  std::string string(std::string_view key);
  /// A string, or `fallback` when absent.
  std::string string_or(std::string_view key, std::string fallback);
  /// A boolean, or `fallback` when absent.
  bool boolean_or(std::string_view key, bool fallback);
  /// An integer, or `fallback` when absent.
  long integer_or(std::string_view key, long fallback);
  /// An array of strings (empty when absent).
  std::vector<std::string> strings(std::string_view key);
  /// An array of argv arrays: [["make", "all"], ["make", "check"]].
  std::vector<std::vector<std::string>> argv_list(std::string_view key);
  /// A table, if present.
  const toml::table* opt_table(std::string_view key);

  /// Rejects every key that was not read, listing the ones this table accepts.
  void reject_unknown(const std::vector<std::string>& accepted) const;
  /// Rejects keys that are present but meaningless in this context.
  void reject_present(const std::vector<std::string>& keys, const std::string& why);

 private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  long line_;
  std::set<std::string> seen_;
};

/// Rejects ${var} placeholders that are not known variables.
void check_placeholders(const TableReader& reader, std::string_view key, long line, std::string_view text);

/// Parses a TOML text; throws UsageError at the line of the syntax error.
toml::table parse_toml(std::string_view text, const fs::path& file);

}  // namespace dkm::pack

#pragma once
// The INI files an original dkumonitor install holds, read as their programs read them:
// supervisord.conf (Python's configparser: `key = value` or `key: value`) and
// grafana.ini (go-ini: `key = value`, values in "quotes" or """triple quotes""").
// Comment lines start with ';' or '#'. Every entry keeps its line, for messages.
// Changing a rendered INI text in place (set_ini_value) serves the carried settings.
// Implementation: libdkm/src/install/migrate_ini.cpp.

#include <dkm/core/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// One `key = value` line.
struct IniEntry {
  std::string key;    ///< as written
  std::string value;  ///< trimmed, outer quotes removed
  long line = 0;      ///< 1-based
};

/// One `[name]` section and its entries, in file order.
struct IniSection {
  std::string name;               ///< between the brackets, trimmed
  long line = 0;                  ///< the header's line (0 for entries before any header)
  std::vector<IniEntry> entries;  ///< in file order
};

/// A parsed INI text.
class IniDocument {
 public:
  /// Parses `text`; `name` (the file) prefixes errors ("NAME:LINE: ..."). A line that is
  /// neither a comment, a section header nor `key = value` is an error.
  static IniDocument parse(const std::string& text, const std::string& name);

  /// The file's name, as given to parse().
  const std::string& name() const { return name_; }
  /// The sections in file order; the first (name "") holds entries before any header.
  const std::vector<IniSection>& sections() const { return sections_; }

  /// The section named `section` (the last one when repeated), or nullptr.
  const IniSection* section(std::string_view section) const;

  /// The entry `key` of `section` (the last one, as both programs read it), or nullptr.
  const IniEntry* entry(std::string_view section, std::string_view key) const;

  /// The value of `key` in `section`, or `fallback` when absent.
  std::string value(std::string_view section, std::string_view key, const std::string& fallback = "") const {
    const IniEntry* e = entry(section, key);
    return e ? e->value : fallback;
  }

  /// "NAME:LINE" of an entry, for messages.
  std::string where(const IniEntry& e) const { return name_ + ":" + std::to_string(e.line); }

 private:
  std::string name_;
  std::vector<IniSection> sections_;
};

/// Sets `key` of `[section]` to `value` in an INI text: replaces the key's line when the
/// section has it, else adds the line at the end of the section, else appends the section.
std::string set_ini_value(const std::string& text, const std::string& section, const std::string& key,
                          const std::string& value);

}  // namespace dkm::install

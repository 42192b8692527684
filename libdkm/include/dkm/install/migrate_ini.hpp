#pragma once
// The INI files an original dkumonitor install holds, read as their programs read them:
// supervisord.conf (Python's configparser: `key = value` or `key: value`) and
// grafana.ini (go-ini: `key = value`, values in "quotes" or """triple quotes""").
// Comment lines start with ';' or '#'. Every entry keeps its line, for messages.
// Changing a rendered INI text in place (set_ini_value) serves the carried settings.

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

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
  static IniDocument parse(const std::string& text, const std::string& name) {
    IniDocument doc;
    doc.name_ = name;
    doc.sections_.push_back({"", 0, {}});
    long line_no = 0;
    for (const auto& raw : split(text, '\n')) {
      ++line_no;
      std::string_view line = trim(raw);
      if (line.empty() || line.front() == ';' || line.front() == '#') continue;
      if (line.front() == '[') {
        if (line.back() != ']') throw UsageError(at_line(name, line_no, "a section header must end with ']'"));
        doc.sections_.push_back({std::string(trim(line.substr(1, line.size() - 2))), line_no, {}});
        continue;
      }
      size_t sep = line.find_first_of("=:");
      if (sep == std::string_view::npos || sep == 0)
        throw UsageError(at_line(name, line_no, "expected 'key = value', found '" + std::string(line) + "'"));
      doc.sections_.back().entries.push_back(
          {std::string(trim(line.substr(0, sep))), unquote(trim(line.substr(sep + 1))), line_no});
    }
    return doc;
  }

  /// The file's name, as given to parse().
  const std::string& name() const { return name_; }
  /// The sections in file order; the first (name "") holds entries before any header.
  const std::vector<IniSection>& sections() const { return sections_; }

  /// The section named `section` (the last one when repeated), or nullptr.
  const IniSection* section(std::string_view section) const {
    for (auto it = sections_.rbegin(); it != sections_.rend(); ++it)
      if (it->name == section) return &*it;
    return nullptr;
  }

  /// The entry `key` of `section` (the last one, as both programs read it), or nullptr.
  const IniEntry* entry(std::string_view section, std::string_view key) const {
    const IniEntry* found = nullptr;
    for (const auto& s : sections_)
      if (s.name == section)
        for (const auto& e : s.entries)
          if (e.key == key) found = &e;
    return found;
  }

  /// The value of `key` in `section`, or `fallback` when absent.
  std::string value(std::string_view section, std::string_view key, const std::string& fallback = "") const {
    const IniEntry* e = entry(section, key);
    return e ? e->value : fallback;
  }

  /// "NAME:LINE" of an entry, for messages.
  std::string where(const IniEntry& e) const { return name_ + ":" + std::to_string(e.line); }

 private:
  /// A value without its outer quotes ("x", 'x', """x""" or `x`).
  static std::string unquote(std::string_view v) {
    if (v.size() >= 6 && v.substr(0, 3) == "\"\"\"" && v.substr(v.size() - 3) == "\"\"\"")
      return std::string(v.substr(3, v.size() - 6));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'' || v.front() == '`') && v.back() == v.front())
      return std::string(v.substr(1, v.size() - 2));
    return std::string(v);
  }

  std::string name_;
  std::vector<IniSection> sections_;
};

/// Sets `key` of `[section]` to `value` in an INI text: replaces the key's line when the
/// section has it, else adds the line at the end of the section, else appends the section.
inline std::string set_ini_value(const std::string& text, const std::string& section, const std::string& key,
                                 const std::string& value) {
  std::vector<std::string> lines = split(text, '\n');
  std::string current;
  long section_end = -1;  // index after the last line of the wanted section
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (!line.empty() && line.front() == '[' && line.back() == ']') {
      current = std::string(trim(line.substr(1, line.size() - 2)));
      continue;
    }
    if (current != section || line.empty() || line.front() == ';' || line.front() == '#') continue;
    section_end = static_cast<long>(i) + 1;
    size_t eq = line.find('=');
    if (eq != std::string_view::npos && trim(line.substr(0, eq)) == key) {
      lines[i] = key + " = " + value;
      return join(lines, "\n");
    }
  }
  if (section_end < 0) {  // no entry yet: right after the header, or a new section at the end
    for (size_t i = 0; i < lines.size(); ++i)
      if (trim(lines[i]) == "[" + section + "]") section_end = static_cast<long>(i) + 1;
  }
  if (section_end < 0) {
    std::string out = text;
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + "\n[" + section + "]\n" + key + " = " + value + "\n";
  }
  lines.insert(lines.begin() + section_end, key + " = " + value);
  return join(lines, "\n");
}

}  // namespace dkm::install

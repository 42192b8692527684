// Reading and changing the INI files of an original install: see migrate_ini.hpp.
#include <dkm/install/migrate_ini.hpp>

#include <dkm/core/strings.hpp>

namespace dkm::install {

namespace {

/// A value without its outer quotes ("x", 'x', """x""" or `x`).
std::string unquote(std::string_view v) {
  if (v.size() >= 6 && v.substr(0, 3) == "\"\"\"" && v.substr(v.size() - 3) == "\"\"\"")
    return std::string(v.substr(3, v.size() - 6));
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'' || v.front() == '`') && v.back() == v.front())
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

}  // namespace

IniDocument IniDocument::parse(const std::string& text, const std::string& name) {
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

const IniSection* IniDocument::section(std::string_view section) const {
  for (auto it = sections_.rbegin(); it != sections_.rend(); ++it)
    if (it->name == section) return &*it;
  return nullptr;
}

const IniEntry* IniDocument::entry(std::string_view section, std::string_view key) const {
  const IniEntry* found = nullptr;
  for (const auto& s : sections_)
    if (s.name == section)
      for (const auto& e : s.entries)
        if (e.key == key) found = &e;
  return found;
}

std::string set_ini_value(const std::string& text, const std::string& section, const std::string& key,
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

// supervisord's INI dialect (Python's configparser as supervisord configures it).
#include "ini_reader.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>

namespace dkm::supervise {

namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

/// Where an inline comment starts (`;` or `#` at the start or after a blank), as
/// configparser looks for it: the first occurrence of each prefix, then the next ones,
/// until one of them qualifies.
size_t inline_comment_start(std::string_view line) {
  size_t found = kNone;
  size_t at[2] = {kNone, kNone};  // last position looked at, per prefix
  bool alive[2] = {true, true};
  const char prefixes[2] = {';', '#'};
  while (found == kNone && (alive[0] || alive[1])) {
    for (int p = 0; p < 2; ++p) {
      if (!alive[p]) continue;
      size_t index = line.find(prefixes[p], at[p] == kNone ? 0 : at[p] + 1);
      if (index == std::string_view::npos) {
        alive[p] = false;
        continue;
      }
      at[p] = index;
      if (index == 0 || is_space(line[index - 1])) found = std::min(found, index);
    }
  }
  return found;
}

/// The section name of a header line ("[name]..."), or nothing.
std::optional<std::string> section_header(std::string_view value) {
  if (value.size() < 3 || value.front() != '[') return std::nullopt;
  size_t close = value.rfind(']');
  if (close == std::string_view::npos || close < 2) return std::nullopt;
  return std::string(value.substr(1, close - 1));
}

/// One file being read into a document.
class IniParser {
 public:
  IniParser(const fs::path& file, IniDocument& doc) : file_(file), doc_(doc) {}

  void line(std::string_view raw, long line_no) {
    size_t comment = inline_comment_start(raw);
    bool whole_line_comment = false;
    std::string_view stripped = trim(raw);
    if (!stripped.empty() && (stripped.front() == ';' || stripped.front() == '#')) whole_line_comment = true;
    std::string_view value = trim(raw.substr(0, whole_line_comment ? 0 : std::min(comment, raw.size())));
    if (value.empty()) {
      // A blank line belongs to the value being read (trimmed at the end); a comment does not.
      if (!whole_line_comment && comment == kNone && current_) current_->text += '\n';
      return;
    }
    size_t indent = raw.find_first_not_of(" \t\r\f\v");
    if (current_ && indent > indent_) {
      current_->text += "\n" + std::string(value);
      return;
    }
    indent_ = indent;
    if (auto name = section_header(value)) {
      open_section(*name, line_no);
      return;
    }
    if (!section_) throw UsageError(at_line(file_.string(), line_no, outside_message(value)));
    size_t delim = value.find_first_of("=:");
    if (delim == std::string_view::npos || trim(value.substr(0, delim)).empty())
      throw UsageError(at_line(file_.string(), line_no,
                               "'" + std::string(value) + "' is not `key = value`, a [section] or a continued value"));
    std::string key = lower(trim(value.substr(0, delim)));
    if (!section_->values.count(key)) section_->keys.push_back(key);
    IniValue& v = section_->values[key];
    v = IniValue{std::string(trim(value.substr(delim + 1))), file_, line_no};
    current_ = &v;
  }

  /// Drops the blank lines that ended values.
  void finish() {
    auto tidy = [](IniSection& s) {
      for (auto& [key, v] : s.values)
        while (!v.text.empty() && is_space(v.text.back())) v.text.pop_back();
    };
    tidy(doc_.defaults);
    for (auto& s : doc_.sections) tidy(s);
  }

 private:
  void open_section(const std::string& name, long line_no) {
    current_ = nullptr;
    if (name == "DEFAULT") {
      section_ = &doc_.defaults;
      return;
    }
    auto it = std::find_if(doc_.sections.begin(), doc_.sections.end(), [&](const IniSection& s) { return s.name == name; });
    if (it == doc_.sections.end()) {
      doc_.sections.push_back(IniSection{name, file_, line_no, {}, {}});
      it = std::prev(doc_.sections.end());
    }
    section_ = &*it;
  }

  static std::string outside_message(std::string_view value) {
    size_t delim = value.find_first_of("=:");
    if (delim != std::string_view::npos) return "'" + std::string(trim(value.substr(0, delim))) + "' is outside any section";
    return "'" + std::string(value) + "' comes before any [section]";
  }

  const fs::path& file_;
  IniDocument& doc_;
  IniSection* section_ = nullptr;  // sections live in a vector: re-found on every header
  IniValue* current_ = nullptr;
  size_t indent_ = 0;
};

}  // namespace

const IniValue* IniSection::find(const std::string& key) const {
  auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

const IniSection* IniDocument::find(const std::string& name) const {
  for (const auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

const IniValue* IniDocument::value(const std::string& section, const std::string& key) const {
  const IniSection* s = find(section);
  if (const IniValue* v = s ? s->find(key) : nullptr) return v;
  return defaults.find(key);
}

void read_ini(const std::string& text, const fs::path& file, IniDocument& doc) {
  IniParser parser(file, doc);
  long line_no = 0;
  for (const auto& raw : split(text, '\n')) parser.line(raw, ++line_no);
  parser.finish();
}

}  // namespace dkm::supervise

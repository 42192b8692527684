#pragma once
// Reading collectd's config syntax (collectd.conf(5)): one statement a line, '#'
// comments, quoted strings with backslash escapes, nested <Block> sections. The
// migration reads an original install's collectd.conf with it; the tests read the
// rendered ones.

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// One statement or block of a collectd config: `Key value...` or `<Key value...>...</Key>`.
struct CollectdItem {
  std::string key;                     ///< option or block name
  std::vector<std::string> values;     ///< arguments, unquoted
  std::vector<CollectdItem> children;  ///< a block's content
  long line = 0;                       ///< where it starts (1-based; 0 for the top)

  /// The children named `k` (collectd's keys are case-insensitive).
  std::vector<const CollectdItem*> all(const std::string& k) const {
    std::vector<const CollectdItem*> out;
    for (const auto& c : children)
      if (same_key(c.key, k)) out.push_back(&c);
    return out;
  }
  /// The first value of the first child named `k` ("" when absent).
  std::string value(const std::string& k) const {
    for (const auto& c : children)
      if (same_key(c.key, k) && !c.values.empty()) return c.values[0];
    return {};
  }
  /// The first child named `k`, or nullptr.
  const CollectdItem* find(const std::string& k) const {
    for (const auto& c : children)
      if (same_key(c.key, k)) return &c;
    return nullptr;
  }

  /// True when two keys are the same for collectd (ASCII, any case).
  static bool same_key(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
  }
};

namespace detail {

/// The words of one collectd statement: bare words and "quoted strings", up to a '#'.
inline std::vector<std::string> collectd_words(std::string_view line) {
  std::vector<std::string> words;
  for (size_t i = 0; i < line.size();) {
    if (std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
      continue;
    }
    if (line[i] == '#') break;
    std::string word;
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        word += line[i];
      }
      ++i;
    } else {
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) word += line[i++];
    }
    words.push_back(word);
  }
  return words;
}

}  // namespace detail

/// Parses collectd's config syntax; `name` (the file) prefixes errors, which say
/// "NAME:LINE: ..." for a bad block line or an unbalanced block.
inline CollectdItem parse_collectd_config(const std::string& text, const std::string& name = "collectd config") {
  std::vector<CollectdItem> stack(1);
  long line_no = 0;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    bool open = false, close = false;
    if (line.front() == '<') {
      if (line.back() != '>') throw Error(at_line(name, line_no, "bad block line: " + std::string(line)));
      line = line.substr(1, line.size() - 2);
      if (!line.empty() && line.front() == '/') {
        close = true;
        line.remove_prefix(1);
      } else {
        open = true;
      }
    }
    std::vector<std::string> words = detail::collectd_words(line);
    if (words.empty()) continue;
    CollectdItem item{words[0], {words.begin() + 1, words.end()}, {}, line_no};
    if (close) {
      if (stack.size() < 2 || !CollectdItem::same_key(stack.back().key, item.key))
        throw Error(at_line(name, line_no, "unbalanced </" + item.key + ">"));
      CollectdItem done = std::move(stack.back());
      stack.pop_back();
      stack.back().children.push_back(std::move(done));
    } else if (open) {
      stack.push_back(std::move(item));
    } else {
      stack.back().children.push_back(std::move(item));
    }
  }
  if (stack.size() != 1) throw Error(at_line(name, stack.back().line, "<" + stack.back().key + "> is never closed"));
  return stack[0];
}

}  // namespace dkm::install

// Reading collectd's config syntax: see collectd_config.hpp.
#include "collectd_config.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <cctype>

namespace dkm::install {

namespace {

/// The words of one collectd statement: bare words and "quoted strings", up to a '#'.
std::vector<std::string> collectd_words(std::string_view line) {
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

}  // namespace

std::vector<const CollectdItem*> CollectdItem::all(const std::string& k) const {
  std::vector<const CollectdItem*> out;
  for (const auto& c : children)
    if (same_key(c.key, k)) out.push_back(&c);
  return out;
}

std::string CollectdItem::value(const std::string& k) const {
  for (const auto& c : children)
    if (same_key(c.key, k) && !c.values.empty()) return c.values[0];
  return {};
}

const CollectdItem* CollectdItem::find(const std::string& k) const {
  for (const auto& c : children)
    if (same_key(c.key, k)) return &c;
  return nullptr;
}

bool CollectdItem::same_key(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

CollectdItem parse_collectd_config(const std::string& text, const std::string& name) {
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
    std::vector<std::string> words = collectd_words(line);
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

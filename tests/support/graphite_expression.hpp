#pragma once
// The series paths inside a Graphite target expression. A target is a path
// (`collectd.*.cpu.*.percent.user`) or function calls wrapping paths and other
// arguments: `aliasByNode(sumSeries(a.b.*), 1)`, `groupByNodes(x.{a,b}, 'avg', 1, 3)`,
// `asPercent(a.used, a.total)`. Paths are what a dashboard needs from carbon;
// numbers, quoted strings, booleans, keyword arguments' names and `#A` references to
// other queries are not paths. Grammar as graphite-web's (render/grammar.py).

#include <dkm/core/error.hpp>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::test {

namespace detail {

/// A recursive-descent reader of one Graphite expression that collects the path arguments.
class GraphiteExpressionReader {
 public:
  explicit GraphiteExpressionReader(std::string_view text) : text_(text) {}

  std::vector<std::string> read() {
    skip_spaces();
    if (at_end()) fail("empty expression");
    read_expression();
    skip_spaces();
    if (!at_end()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return std::move(paths_);
  }

 private:
  static bool is_word_end(char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == ',' || c == '=' ||
           c == '\'' || c == '"';
  }

  bool at_end() const { return pos_ >= text_.size(); }

  void skip_spaces() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("graphite target '" + std::string(text_) + "': " + what + " at offset " + std::to_string(pos_));
  }

  // A bare word: a path, a number, a boolean or a function name. Commas inside {...}
  // and [...] belong to the word (path alternatives), not to the argument list.
  std::string read_word() {
    size_t start = pos_;
    int braces = 0, brackets = 0;
    while (!at_end()) {
      char c = text_[pos_];
      if (c == '{') ++braces;
      else if (c == '}') --braces;
      else if (c == '[') ++brackets;
      else if (c == ']') --brackets;
      else if (braces <= 0 && brackets <= 0 && is_word_end(c)) break;
      ++pos_;
    }
    if (braces != 0) fail("unbalanced '{'");
    if (brackets != 0) fail("unbalanced '['");
    return std::string(text_.substr(start, pos_ - start));
  }

  void read_string() {
    char quote = text_[pos_++];
    while (!at_end() && text_[pos_] != quote) {
      if (text_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    if (at_end()) fail(std::string("unterminated string (") + quote + ")");
    ++pos_;
  }

  static bool is_number(const std::string& word) {
    if (word.empty()) return false;
    size_t used = 0;
    try {
      (void)std::stod(word, &used);
    } catch (const std::exception&) {
      return false;
    }
    return used == word.size();
  }

  static bool is_constant(const std::string& word) {
    return word == "true" || word == "false" || word == "True" || word == "False" || word == "None" ||
           word == "null" || is_number(word);
  }

  void read_expression() {
    skip_spaces();
    if (at_end()) fail("expression expected");
    char c = text_[pos_];
    if (c == '\'' || c == '"') {
      read_string();
      return;
    }
    if (c == '#') {  // Grafana's reference to another query of the panel (#A)
      read_word();
      return;
    }
    std::string word = read_word();
    if (word.empty()) fail("expression expected");
    skip_spaces();
    if (!at_end() && text_[pos_] == '(') {
      read_call_arguments();
      return;
    }
    if (!is_constant(word)) paths_.push_back(word);
  }

  void read_call_arguments() {
    ++pos_;  // '('
    skip_spaces();
    if (!at_end() && text_[pos_] == ')') {
      ++pos_;
      return;
    }
    for (;;) {
      read_argument();
      skip_spaces();
      if (at_end()) fail("')' expected");
      if (text_[pos_] == ')') {
        ++pos_;
        return;
      }
      if (text_[pos_] != ',') fail("',' or ')' expected");
      ++pos_;
    }
  }

  // name=value (keyword argument) or a positional expression.
  void read_argument() {
    skip_spaces();
    size_t start = pos_;
    if (!at_end() && text_[pos_] != '\'' && text_[pos_] != '"' && text_[pos_] != '#') {
      std::string word = read_word();
      skip_spaces();
      if (!word.empty() && !at_end() && text_[pos_] == '=') {
        ++pos_;
        read_expression();
        return;
      }
      pos_ = start;
    }
    read_expression();
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<std::string> paths_;
};

}  // namespace detail

/// The series paths (globs) a Graphite target expression reads, in order of appearance.
/// Throws UsageError naming the expression and offset when it does not parse.
inline std::vector<std::string> graphite_series_paths(std::string_view expression) {
  return detail::GraphiteExpressionReader(expression).read();
}

}  // namespace dkm::test

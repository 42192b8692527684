#pragma once
// A JavaScript RegExp, as Grafana builds one from a template variable's "regex" field,
// on top of std::regex's ECMAScript grammar (JavaScript's own, minus a few newer parts).
// What std::regex lacks and Grafana's users write is added here: named groups
// `(?<name>...)` (removed from the pattern, their numbers remembered) and the `g` flag's
// `lastIndex` walk of RegExp.prototype.exec. Lookbehind and the `s`, `m`, `y` flags are
// refused rather than silently read another way.

#include <dkm/core/error.hpp>

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace dkm::test {

/// One successful RegExp.prototype.exec: every group (0 = the whole match), a group that
/// took no part in the match being nullopt (JavaScript's undefined), and the named ones.
struct JsMatch {
  std::vector<std::optional<std::string>> groups;              ///< match[0], match[1], ...
  std::map<std::string, std::optional<std::string>> named;   ///< match.groups
  size_t index = 0;                                            ///< where match[0] starts

  /// match.groups[name], nullopt when the group is absent or did not take part.
  std::optional<std::string> group(const std::string& name) const {
    auto it = named.find(name);
    return it == named.end() ? std::nullopt : it->second;
  }
};

/// A compiled JavaScript regular expression (new RegExp(source, flags)).
class JsRegex {
 public:
  /// Compiles `source` with `flags` (any of "g", "i"); throws UsageError naming the
  /// pattern when it does not compile or uses what this class does not reproduce.
  JsRegex(const std::string& source, const std::string& flags) : source_(source) {
    for (char flag : flags) {
      if (flag == 'g') global_ = true;
      else if (flag == 'i') ignore_case_ = true;
      else throw UsageError("regex /" + source + "/" + flags + ": flag '" + std::string(1, flag) + "' is not supported here");
    }
    std::string translated = translate_named_groups(source);
    auto syntax = std::regex::ECMAScript;
    if (ignore_case_) syntax |= std::regex::icase;
    try {
      regex_ = std::regex(translated, syntax);
    } catch (const std::regex_error& e) {
      throw UsageError("regex /" + source + "/: " + e.what());
    }
  }

  /// Whether the `g` flag is set (exec then starts at, and moves, lastIndex).
  bool global() const { return global_; }
  /// The pattern as written.
  const std::string& source() const { return source_; }

  /// RegExp.prototype.exec(text): the next match from `last_index` (global) or from 0,
  /// updating `last_index` as JavaScript does (end of the match; 0 when none is found).
  std::optional<JsMatch> exec(const std::string& text, size_t& last_index) const {
    size_t start = global_ ? last_index : 0;
    if (start > text.size()) {
      last_index = 0;
      return std::nullopt;
    }
    std::smatch m;
    auto flags = start > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    if (!std::regex_search(text.begin() + static_cast<long>(start), text.end(), m, regex_, flags)) {
      if (global_) last_index = 0;
      return std::nullopt;
    }
    JsMatch out;
    out.index = start + static_cast<size_t>(m.position(0));
    for (size_t i = 0; i < m.size(); ++i)
      out.groups.push_back(m[i].matched ? std::optional<std::string>(m[i].str()) : std::nullopt);
    for (const auto& [name, number] : names_) out.named[name] = out.groups.at(number);
    if (global_) last_index = out.index + static_cast<size_t>(m.length(0));
    return out;
  }

 private:
  // Copies `source`, dropping the `?<name>` of each named group and numbering every
  // capturing group on the way, as JavaScript numbers them (by opening parenthesis).
  std::string translate_named_groups(const std::string& source) {
    std::string out;
    size_t number = 0;
    bool in_class = false;
    for (size_t i = 0; i < source.size(); ++i) {
      char c = source[i];
      if (c == '\\' && i + 1 < source.size()) {
        out += source.substr(i, 2);
        ++i;
        continue;
      }
      if (in_class) {
        if (c == ']') in_class = false;
        out += c;
        continue;
      }
      if (c == '[') in_class = true;
      if (c == '(') {
        if (source.compare(i, 3, "(?<") == 0 && i + 3 < source.size() && source[i + 3] != '=' &&
            source[i + 3] != '!') {
          size_t close = source.find('>', i + 3);
          if (close == std::string::npos) throw UsageError("regex /" + source + "/: unterminated group name");
          names_[source.substr(i + 3, close - i - 3)] = ++number;
          out += '(';
          i = close;
          continue;
        }
        if (source.compare(i, 4, "(?<=") == 0 || source.compare(i, 4, "(?<!") == 0)
          throw UsageError("regex /" + source + "/: lookbehind is not supported here");
        if (source.compare(i, 2, "(?") != 0) ++number;
      }
      out += c;
    }
    return out;
  }

  std::string source_;
  bool global_ = false;
  bool ignore_case_ = false;
  std::regex regex_;
  std::map<std::string, size_t> names_;
};

/// Grafana's stringToJsRegex (@grafana/data): "/body/flags" is a regular expression
/// literal; anything else is matched whole, as new RegExp('^' + text + '$').
inline JsRegex string_to_js_regex(const std::string& text) {
  if (text.empty() || text[0] != '/') return JsRegex("^" + text + "$", "");
  static const std::regex literal(R"(^/(.*?)/(g?i?m?y?s?)$)");
  std::smatch m;
  if (!std::regex_match(text, m, literal)) throw UsageError("'" + text + "' is not a valid regular expression.");
  return JsRegex(m[1].str(), m[2].str());
}

}  // namespace dkm::test

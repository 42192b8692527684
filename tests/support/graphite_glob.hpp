#pragma once
// Graphite's glob rules for metric paths, as go-carbon's find and graphite-web apply them:
// a pattern and a metric are split on dots and matched node by node (same number of
// nodes); inside a node `*` is any run of characters, `?` one character, `[abc]`,
// `[0-9]` and `[!x]` a character class, and `{a,b}` one of several alternatives
// (alternatives may nest and may hold dots). Used to check dashboards against the
// metric names collectd and DSS really send, and to answer "find" like carbonapi does.

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <fnmatch.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::test {

/// Most alternatives one pattern may expand to; a guard against `{a,b}{c,d}...` explosions.
inline constexpr size_t kMaxGlobAlternatives = 100000;

/// Expands `{a,b}` groups (nested too) into every alternative, left to right:
/// `x.{a,b{1,2}}` gives `x.a`, `x.b1`, `x.b2`. Throws UsageError on an unbalanced brace.
inline std::vector<std::string> expand_braces(std::string_view pattern) {
  // Find the first top-level group; recurse on its alternatives and on the rest.
  size_t open = std::string_view::npos;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '}') throw UsageError("graphite glob '" + std::string(pattern) + "': '}' without '{'");
    if (pattern[i] == '{') {
      open = i;
      break;
    }
  }
  if (open == std::string_view::npos) return {std::string(pattern)};

  std::vector<std::string_view> choices;
  int depth = 0;
  size_t start = open + 1, close = std::string_view::npos;
  for (size_t i = open; i < pattern.size() && close == std::string_view::npos; ++i) {
    char c = pattern[i];
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) {
        choices.push_back(pattern.substr(start, i - start));
        close = i;
      }
    } else if (c == ',' && depth == 1) {
      choices.push_back(pattern.substr(start, i - start));
      start = i + 1;
    }
  }
  if (close == std::string_view::npos)
    throw UsageError("graphite glob '" + std::string(pattern) + "': '{' at offset " + std::to_string(open) +
                     " is never closed");

  std::string_view head = pattern.substr(0, open);
  std::vector<std::string> tails = expand_braces(pattern.substr(close + 1));
  std::vector<std::string> out;
  for (std::string_view choice : choices) {
    for (const auto& middle : expand_braces(choice)) {
      for (const auto& tail : tails) {
        if (out.size() >= kMaxGlobAlternatives)
          throw UsageError("graphite glob '" + std::string(pattern) + "': more than " +
                           std::to_string(kMaxGlobAlternatives) + " alternatives");
        out.push_back(std::string(head) + middle + tail);
      }
    }
  }
  return out;
}

/// Matches one node (no dots, no braces) against a name with `*`, `?` and `[...]` (fnmatch(3) rules).
inline bool glob_node_matches(const std::string& pattern_node, const std::string& name) {
  return ::fnmatch(pattern_node.c_str(), name.c_str(), 0) == 0;
}

/// A Graphite glob compiled once, matched against many metric paths.
class GraphiteGlob {
 public:
  /// Compiles `pattern`; throws UsageError naming it when it is empty or its braces do not balance.
  explicit GraphiteGlob(std::string pattern) : pattern_(std::move(pattern)) {
    if (trim(pattern_).empty()) throw UsageError("graphite glob: empty pattern");
    for (const auto& alternative : expand_braces(pattern_)) alternatives_.push_back(split(alternative, '.'));
  }

  /// The pattern as written.
  const std::string& pattern() const { return pattern_; }

  /// True when the whole of `metric` matches (same number of nodes, each node matching).
  bool matches(std::string_view metric) const {
    std::vector<std::string> nodes = split(metric, '.');
    for (const auto& alternative : alternatives_) {
      if (alternative.size() == nodes.size() && nodes_match(alternative, nodes, nodes.size())) return true;
    }
    return false;
  }

  /// Like carbonapi's /metrics/find: the distinct paths, as deep as the pattern, that the
  /// pattern matches among the leading nodes of `metrics` (branches and leaves alike).
  template <typename Range>
  std::set<std::string> find(const Range& metrics) const {
    std::set<std::string> found;
    for (const auto& metric : metrics) {
      std::vector<std::string> nodes = split(metric, '.');
      for (const auto& alternative : alternatives_) {
        size_t depth = alternative.size();
        if (depth <= nodes.size() && nodes_match(alternative, nodes, depth)) {
          std::vector<std::string> prefix(nodes.begin(), nodes.begin() + static_cast<long>(depth));
          found.insert(join(prefix, "."));
        }
      }
    }
    return found;
  }

  /// True when at least one of `metrics` matches.
  template <typename Range>
  bool matches_any(const Range& metrics) const {
    for (const auto& metric : metrics)
      if (matches(metric)) return true;
    return false;
  }

 private:
  static bool nodes_match(const std::vector<std::string>& pattern_nodes, const std::vector<std::string>& nodes,
                          size_t count) {
    for (size_t i = 0; i < count; ++i)
      if (!glob_node_matches(pattern_nodes[i], nodes[i])) return false;
    return true;
  }

  std::string pattern_;
  std::vector<std::vector<std::string>> alternatives_;
};

}  // namespace dkm::test

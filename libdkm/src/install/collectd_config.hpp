#pragma once
// Reading collectd's config syntax (collectd.conf(5)): one statement a line, '#'
// comments, quoted strings with backslash escapes, nested <Block> sections. The
// migration reads an original install's collectd.conf with it; the tests read the
// rendered ones. Private to install.
// Implementation: libdkm/src/install/collectd_config.cpp.

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
  std::vector<const CollectdItem*> all(const std::string& k) const;
  /// The first value of the first child named `k` ("" when absent).
  std::string value(const std::string& k) const;
  /// The first child named `k`, or nullptr.
  const CollectdItem* find(const std::string& k) const;

  /// True when two keys are the same for collectd (ASCII, any case).
  static bool same_key(std::string_view a, std::string_view b);
};

/// Parses collectd's config syntax; `name` (the file) prefixes errors, which say
/// "NAME:LINE: ..." for a bad block line or an unbalanced block.
CollectdItem parse_collectd_config(const std::string& text, const std::string& name = "collectd config");

}  // namespace dkm::install

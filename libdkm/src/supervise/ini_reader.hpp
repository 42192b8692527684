#pragma once
// The INI dialect supervisord reads: Python's configparser as supervisord sets it up
// (RawConfigParser, strict off, `;` and `#` inline comments), so that any file
// supervisord reads reads the same here:
//   - `key = value` or `key: value` (the first `=` or `:` ends the key); keys in any case;
//   - a line indented deeper than its key's line continues the value (joined with a
//     newline; blank lines inside a value are kept, trailing ones dropped);
//   - comments: a line starting with `;` or `#`, or either after a blank inside a line;
//   - a section given twice, in one file or in several, is one section; a key given
//     twice counts with its last value;
//   - [DEFAULT]'s keys are every section's fallback.
// Each value remembers the file and line it was written at (errors name them, and
// %(here)s is the directory of the file that wrote the value).
// Implementation: libdkm/src/supervise/ini_reader.cpp.

#include <dkm/core/files.hpp>

#include <map>
#include <string>
#include <vector>

namespace dkm::supervise {

/// One value as written, and where.
struct IniValue {
  std::string text;  ///< continuation lines joined with '\n', inline comments dropped
  fs::path file;
  long line = 0;     ///< the line of its key
};

/// One section: every place it appears merged.
struct IniSection {
  std::string name;                        ///< as written between the brackets
  fs::path file;                           ///< where it first appears
  long line = 0;                           ///< the line of its first header
  std::vector<std::string> keys;           ///< keys (lower case), in order of first appearance
  std::map<std::string, IniValue> values;  ///< key -> its last value

  /// The value of `key`, or nullptr.
  const IniValue* find(const std::string& key) const;
};

/// Sections in order of first appearance, and [DEFAULT] apart.
struct IniDocument {
  std::vector<IniSection> sections;
  IniSection defaults;  ///< [DEFAULT]

  /// The section `name`, or nullptr.
  const IniSection* find(const std::string& name) const;
  /// The value of `key` in section `name`, falling back to [DEFAULT]; nullptr when neither has it.
  const IniValue* value(const std::string& section, const std::string& key) const;
};

/// Reads `text`, the content of `file`, into `doc` (merging with what it holds).
/// Throws UsageError("FILE:LINE: ...") for a line that is none of the above.
void read_ini(const std::string& text, const fs::path& file, IniDocument& doc);

}  // namespace dkm::supervise

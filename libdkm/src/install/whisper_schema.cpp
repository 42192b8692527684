// What one whisper file weighs, from storage-schemas.conf as go-carbon reads it.
#include <dkm/install/whisper_schema.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <regex>

namespace dkm::install {

namespace {

/// A whole decimal number, nothing else.
std::optional<std::int64_t> to_int(std::string_view text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

/// Seconds of "7d", "5m", "60s", "1y" or "60" (go-whisper's parseRetentionPart).
std::optional<std::int64_t> seconds_of(std::string_view part) {
  if (auto n = to_int(part)) return n;
  size_t digits = 0;
  while (digits < part.size() && std::isdigit(static_cast<unsigned char>(part[digits]))) ++digits;
  auto n = to_int(part.substr(0, digits));
  std::string_view unit = part.substr(digits);
  if (!n || unit.empty() || unit.find_first_not_of("smhdwy") != std::string_view::npos) return std::nullopt;
  switch (unit.front()) {  // go-whisper reads the unit's first letter
    case 's': return *n;
    case 'm': return *n * 60;
    case 'h': return *n * 3600;
    case 'd': return *n * 86400;
    case 'w': return *n * 86400 * 7;
    default: return *n * 86400 * 365;
  }
}

/// One section of storage-schemas.conf.
struct SchemaSection {
  std::string name;
  std::string pattern;
  std::string retentions;
  std::int64_t priority = 0;
  long line = 0;
};

std::vector<SchemaSection> read_sections(std::string_view text, const std::string& where) {
  std::vector<SchemaSection> sections;
  long number = 0;
  for (const auto& raw : split(text, '\n')) {
    ++number;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      sections.push_back({std::string(line.substr(1, line.size() - 2)), {}, {}, 0, number});
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || sections.empty())
      throw Error(at_line(where, number, "expected [section] or KEY = VALUE"));
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (key == "pattern") sections.back().pattern = value;
    else if (key == "retentions") sections.back().retentions = value;
    else if (key == "priority") {
      auto p = to_int(value);
      if (!p) throw Error(at_line(where, number, "priority '" + value + "' is not a number"));
      sections.back().priority = *p;
    }
  }
  // go-carbon: higher priority first, then the file's order.
  std::stable_sort(sections.begin(), sections.end(), [](const auto& a, const auto& b) { return a.priority > b.priority; });
  return sections;
}

}  // namespace

std::vector<WhisperArchive> parse_retentions(std::string_view retentions, const std::string& where) {
  std::vector<WhisperArchive> archives;
  for (const auto& raw : split(retentions, ',')) {
    std::string def(trim(raw));
    std::vector<std::string> parts = split(def, ':');
    if (parts.size() != 2) throw Error(where + ": bad retention '" + def + "' (expected PRECISION:DURATION, e.g. 60s:7d)");
    auto old_precision = to_int(parts[0]), old_points = to_int(parts[1]);
    if (old_precision && old_points) {  // "SECONDS:POINTS"
      archives.push_back({*old_precision, *old_points});
    } else {
      auto precision = seconds_of(parts[0]), duration = seconds_of(parts[1]);
      if (!precision || !duration || *precision <= 0)
        throw Error(where + ": bad retention '" + def + "' (units: s, m, h, d, w, y)");
      archives.push_back({*precision, *duration / *precision});
    }
    if (archives.back().seconds_per_point <= 0 || archives.back().points <= 0)
      throw Error(where + ": bad retention '" + def + "': no point in it");
  }
  return archives;
}

std::uint64_t whisper_file_bytes(const std::vector<WhisperArchive>& archives) {
  std::uint64_t bytes = kWhisperHeaderBytes;
  for (const auto& a : archives) bytes += kWhisperArchiveInfoBytes + kWhisperPointBytes * static_cast<std::uint64_t>(a.points);
  return bytes;
}

std::string schema_retentions_for(std::string_view schemas_text, const std::string& metric, const std::string& where) {
  for (const auto& s : read_sections(schemas_text, where)) {
    if (s.pattern.empty()) throw Error(at_line(where, s.line, "[" + s.name + "] has no pattern"));
    bool matches = false;
    try {
      matches = std::regex_search(metric, std::regex(s.pattern));  // Go's MatchString: anywhere in the name
    } catch (const std::regex_error&) {
      throw Error(at_line(where, s.line, "[" + s.name + "] pattern '" + s.pattern + "' is not a regular expression"));
    }
    if (matches) return s.retentions;
  }
  throw Error(where + ": no section's pattern matches " + metric);
}

}  // namespace dkm::install

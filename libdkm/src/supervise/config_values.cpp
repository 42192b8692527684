// The value syntaxes of supervisord's program keys (booleans, counts, sizes, signals, lists, commands, %(name)s).
#include "config_values.hpp"

#include <cctype>

namespace dkm::supervise {

bool parse_bool(std::string_view text) {
  std::string v = lower(trim(text));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  throw ValueError("'" + std::string(text) + "' is not a boolean (true or false)");
}

std::int64_t parse_count(std::string_view text, std::int64_t max) {
  std::string_view v = trim(text);
  if (v.empty()) throw ValueError("a number is required");
  std::int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') throw ValueError("'" + std::string(text) + "' is not a number");
    n = n * 10 + (c - '0');
    if (n > max) throw ValueError("'" + std::string(text) + "' is too large (at most " + std::to_string(max) + ")");
  }
  return n;
}

std::uint64_t parse_byte_size(std::string_view text) {
  std::string v = lower(trim(text));
  std::uint64_t unit = 1;
  auto strip = [&](std::string_view suffix, std::uint64_t factor) {
    if (v.size() > suffix.size() && v.compare(v.size() - suffix.size(), suffix.size(), suffix) == 0) {
      v.resize(v.size() - suffix.size());
      unit = factor;
      return true;
    }
    return false;
  };
  strip("kb", 1024) || strip("mb", 1024 * 1024) || strip("gb", 1024ull * 1024 * 1024) || strip("b", 1);
  try {
    return static_cast<std::uint64_t>(parse_count(v, 1ll << 40)) * unit;
  } catch (const ValueError&) {
    throw ValueError("'" + std::string(text) + "' is not a size (bytes, or a number with KB, MB or GB)");
  }
}

const std::map<std::string, int>& signal_names() {
  static const std::map<std::string, int> names{
      {"TERM", SIGTERM}, {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
      {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"STOP", SIGSTOP},
      {"CONT", SIGCONT}, {"PIPE", SIGPIPE}, {"WINCH", SIGWINCH}};
  return names;
}

int parse_signal(std::string_view text) {
  std::string v(trim(text));
  for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (v.rfind("SIG", 0) == 0) v = v.substr(3);
  if (auto it = signal_names().find(v); it != signal_names().end()) return it->second;
  if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
    auto n = parse_count(v, 64);
    if (n >= 1) return static_cast<int>(n);
  }
  throw ValueError("'" + std::string(text) + "' is not a signal (TERM, INT, QUIT, HUP, KILL, USR1, USR2, ...)");
}

std::string signal_name(int signal) {
  for (const auto& [name, number] : signal_names())
    if (number == signal) return name;
  return std::to_string(signal);
}

std::vector<int> parse_exit_codes(std::string_view text) {
  std::vector<int> codes;
  for (const auto& part : split(text, ',')) {
    if (trim(part).empty()) throw ValueError("'" + std::string(text) + "' is not a list of exit codes");
    codes.push_back(static_cast<int>(parse_count(part, 255)));
  }
  return codes;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::vector<std::string> split_quoted(std::string_view text, std::string_view separators) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else word += c;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
      else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) word += text[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) throw ValueError("'" + std::string(text) + "' ends with a lone backslash");
      word += text[++i];
      in_word = true;
    } else if (separators.find(c) != std::string_view::npos) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) throw ValueError("'" + std::string(text) + "' has an unclosed " + (quote == '"' ? "\"" : "'") + " quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::map<std::string, std::string> parse_environment_list(std::string_view text) {
  std::map<std::string, std::string> vars;
  for (const std::string& token : split_quoted(text, ",")) {
    std::string_view item = trim(token);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key(trim(item.substr(0, eq == std::string_view::npos ? item.size() : eq)));
    if (eq == std::string_view::npos || !is_env_name(key)) throw ValueError("'" + std::string(item) + "' is not KEY=VALUE");
    vars[key] = std::string(trim(item.substr(eq + 1)));
  }
  return vars;
}

std::vector<std::string> split_command(std::string_view text) {
  std::vector<std::string> words = split_quoted(text, " \t\r\n");
  if (words.empty()) throw ValueError("the command is empty");
  return words;
}

namespace {

/// The parts of a Python conversion specifier after `%(name)`: flags, width, precision, type.
struct PercentSpec {
  bool left = false, zero = false, plus = false, space = false, alternate = false;
  std::size_t width = 0;
  std::optional<std::size_t> precision;
  char type = 's';
};

/// Reads the specifier at text[i] (just after the closing parenthesis); advances i past it.
PercentSpec read_spec(std::string_view text, std::size_t& i) {
  PercentSpec spec;
  auto digits = [&](std::size_t& into) {
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) into = into * 10 + (text[i++] - '0');
  };
  for (; i < text.size() && std::string_view("-0+ #").find(text[i]) != std::string_view::npos; ++i) {
    char f = text[i];
    spec.left |= f == '-';
    spec.zero |= f == '0';
    spec.plus |= f == '+';
    spec.space |= f == ' ';
    spec.alternate |= f == '#';
  }
  digits(spec.width);
  if (i < text.size() && text[i] == '.') {
    ++i;
    spec.precision = 0;
    digits(*spec.precision);
  }
  while (i < text.size() && (text[i] == 'h' || text[i] == 'l' || text[i] == 'L')) ++i;  // length: ignored, as Python does
  if (i >= text.size()) throw ValueError("incomplete format in '" + std::string(text) + "'");
  spec.type = text[i++];
  return spec;
}

/// Python's formatting of an integer for d, i, u, x, X and o.
std::string format_number(long long n, const PercentSpec& spec) {
  unsigned long long magnitude = n < 0 ? 0ull - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
  int base = spec.type == 'x' || spec.type == 'X' ? 16 : spec.type == 'o' ? 8 : 10;
  std::string digits;
  do {
    digits.insert(digits.begin(), "0123456789abcdef"[magnitude % base]);
    magnitude /= base;
  } while (magnitude);
  if (spec.type == 'X')
    for (char& c : digits) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (spec.precision && digits.size() < *spec.precision) digits.insert(0, *spec.precision - digits.size(), '0');
  std::string prefix = n < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  if (spec.alternate && base != 10) prefix += spec.type == 'X' ? "0X" : spec.type == 'x' ? "0x" : "0o";
  if (spec.zero && !spec.left && prefix.size() + digits.size() < spec.width)
    digits.insert(0, spec.width - prefix.size() - digits.size(), '0');
  return prefix + digits;
}

/// One value formatted by its specifier, padded to its width.
std::string format_value(const PercentValue& value, const PercentSpec& spec, const std::string& name) {
  std::string out;
  if (spec.type == 's') {
    out = std::holds_alternative<long long>(value) ? std::to_string(std::get<long long>(value)) : std::get<std::string>(value);
    if (spec.precision && out.size() > *spec.precision) out.resize(*spec.precision);
  } else if (std::string_view("diuxXo").find(spec.type) != std::string_view::npos) {
    if (!std::holds_alternative<long long>(value))
      throw ValueError("'%(" + name + ")" + spec.type + "' needs a number, and " + name + " is text");
    out = format_number(std::get<long long>(value), spec);
  } else {
    throw ValueError(std::string("unsupported format character '") + spec.type + "' in '%(" + name + ")...'");
  }
  if (out.size() < spec.width) out.insert(spec.left ? out.size() : 0, spec.width - out.size(), ' ');
  return out;
}

}  // namespace

std::string expand_percent(std::string_view text,
                           const std::function<std::optional<PercentValue>(const std::string&)>& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '(')
      throw ValueError("stray '%' in '" + std::string(text) + "' (write %% for a percent sign)");
    std::size_t close = text.find(')', i + 2);
    if (close == std::string_view::npos)
      throw ValueError("malformed reference in '" + std::string(text) + "' (expected %(name)s)");
    std::string name(text.substr(i + 2, close - i - 2));
    std::size_t next = close + 1;
    PercentSpec spec = read_spec(text, next);
    auto value = lookup(name);
    if (!value) throw ValueError("unknown name '%(" + name + ")" + std::string(1, spec.type) + "'");
    out += format_value(*value, spec, name);
    i = next - 1;
  }
  return out;
}

mode_t parse_umask(std::string_view text) {
  std::string v(trim(text));
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'o' || v[1] == 'O')) v = v.substr(2);
  if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
    throw ValueError("'" + std::string(text) + "' is not an octal umask (022, 077 ...)");
  mode_t mask = static_cast<mode_t>(std::stoul(v, nullptr, 8));
  if (mask > 0777) throw ValueError("'" + std::string(text) + "' is not an octal umask (at most 0777)");
  return mask;
}

std::string strip_inline_comment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == ';' || value[i] == '#') && std::isspace(static_cast<unsigned char>(value[i - 1])))
      return std::string(trim(value.substr(0, i)));
  }
  return std::string(value);
}

}  // namespace dkm::supervise

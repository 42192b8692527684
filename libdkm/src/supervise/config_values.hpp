#pragma once
// The value syntaxes of supervisord's program keys: booleans, counts, byte sizes
// ("50MB"), signal names, exit code lists, `environment` lists, shell-like commands,
// umasks and Python's `%(name)s` formatting. Each parser throws a plain message; the caller
// (program_reader.cpp, services_file.cpp) adds the file and line.
// Implementation: libdkm/src/supervise/config_values.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dkm::supervise {

/// A value that does not parse; the message names the value, not the file.
class ValueError : public std::runtime_error {
 public:
  /// Builds the error.
  explicit ValueError(const std::string& message) : std::runtime_error(message) {}
};

/// supervisord's booleans: true/false, yes/no, on/off, 1/0 (any case).
bool parse_bool(std::string_view text);

/// A non-negative integer no larger than `max`.
std::int64_t parse_count(std::string_view text, std::int64_t max = 1'000'000'000);

/// A byte size: a number with an optional KB, MB or GB suffix (powers of 1024, as supervisord).
std::uint64_t parse_byte_size(std::string_view text);

/// The signals a service may be stopped with, by name without the SIG prefix.
const std::map<std::string, int>& signal_names();

/// A signal by name ("TERM", "SIGTERM", any case) or number.
int parse_signal(std::string_view text);

/// The name of a signal without the SIG prefix ("TERM"), or its number.
std::string signal_name(int signal);

/// A comma-separated list of exit codes (0..255), as supervisord's `exitcodes`.
std::vector<int> parse_exit_codes(std::string_view text);

/// True when `name` can be an environment variable name.
bool is_env_name(std::string_view name);

/// Splits `text` at any of `separators` the way Python's shlex (POSIX mode) splits words,
/// which supervisord uses for `command` and `environment`: 'single quotes' keep everything,
/// "double quotes" keep all but \\ and \", a backslash outside quotes keeps the next
/// character. Quotes are removed; quoted empty words are kept, unquoted empty ones dropped.
/// (Written out because Boost's split_unix treats ' and " alike: 'say "hi"' breaks there.)
std::vector<std::string> split_quoted(std::string_view text, std::string_view separators);

/// supervisord's `environment`: KEY="value",KEY2='value2',KEY3=plain (quotes protect commas).
std::map<std::string, std::string> parse_environment_list(std::string_view text);

/// Splits a command line into words as supervisord does (shlex), without running a shell.
std::vector<std::string> split_command(std::string_view text);

/// What `%(name)...` may stand for: text, or a number (process_num, numprocs).
using PercentValue = std::variant<std::string, long long>;

/// Expands Python's `%(name)FORMAT` references and `%%` in `text`, as supervisord's
/// `value % expansions` does: FORMAT is `s` (any value) or `d`, `i`, `u`, `x`, `X`, `o`
/// (numbers), with Python's flags, width and precision (`%(process_num)02d`). `lookup`
/// returns the value of a name, or nothing when the name is unknown.
std::string expand_percent(std::string_view text,
                           const std::function<std::optional<PercentValue>(const std::string&)>& lookup);

/// An octal umask as supervisord reads one ("022", "0o27"), at most 0777.
mode_t parse_umask(std::string_view text);

/// Drops an inline comment: ';' or '#' after whitespace, as supervisord's parser does.
std::string strip_inline_comment(std::string_view value);

}  // namespace dkm::supervise

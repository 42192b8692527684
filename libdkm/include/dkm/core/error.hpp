#pragma once
// Errors meant for the person at the keyboard. The message names what is at fault
// (file and line, flag, path); front ends print it and exit with exit_code().
// Header only: nothing here is longer than a line or two.

#include <stdexcept>
#include <string>
#include <utility>

namespace dkm {

/// Exit codes shared by every front end.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  ///< the work failed (a build step, a service, the system)
  kExitUsage = 2,    ///< bad input: flag, file or value; nothing was changed
};

/// A failure with a message for the user and the exit code the front end returns.
class Error : public std::runtime_error {
 public:
  /// Builds an error whose message is shown as is.
  explicit Error(const std::string& message, int exit_code = kExitFailure)
      : std::runtime_error(message), exit_code_(exit_code) {}

  /// The process exit code this error maps to.
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

/// Bad input (flag, value, file content): exit code 2, nothing written.
class UsageError : public Error {
 public:
  /// Builds a usage error.
  explicit UsageError(const std::string& message) : Error(message, kExitUsage) {}
};

/// "FILE:LINE: message", the form compilers use, so editors can jump to it.
inline std::string at_line(const std::string& file, long line, const std::string& message) {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace dkm

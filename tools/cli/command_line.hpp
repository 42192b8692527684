#pragma once
// The one argument-parsing pattern of the four front ends: each describes itself as a
// table (a Program: its global options and its commands, each with its options and its
// help) and parse() reads a command line against it with Boost.Program_options. An option
// given twice is an error unless it is repeatable. A front end with one command names it "".
// Implementation: tools/cli/command_line.cpp.

#include <boost/program_options.hpp>

#include <cstddef>
#include <functional>
#include <utility>
#include <string>
#include <vector>

namespace dkm::cli {

/// What an option's value is checked as.
enum class Value { kNone, kText, kInteger, kUnsigned, kNumber };

/// One option.
struct Option {
  /// An option: its names, what its value is, and how --help shows it.
  Option(std::string names_, Value value_ = Value::kNone, std::string value_name_ = "", std::string help_ = "",
         bool repeatable_ = false, std::string default_value_ = "")
      : names(std::move(names_)),
        value(value_),
        value_name(std::move(value_name_)),
        help(std::move(help_)),
        repeatable(repeatable_),
        default_value(std::move(default_value_)) {}

  std::string names;          ///< "directory,d": the long name, then the short one
  Value value = Value::kNone; ///< kNone: a switch
  std::string value_name;     ///< "DIR", shown in --help
  std::string help;           ///< its line in --help; empty: not shown there
  bool repeatable = false;    ///< may be given more than once (each value kept)
  std::string default_value;  ///< taken (and shown) when absent; empty: none
};

/// One command of a front end.
struct Command {
  /// A command: its word, its help, its options, whether it takes other words, and
  /// whether "-N" words are numbers of its own (supervisorctl's `tail -100`).
  Command(std::string name_, std::string help_, std::vector<Option> options_ = {}, bool operands_ = false,
          bool dash_numbers_ = false)
      : name(std::move(name_)),
        help(std::move(help_)),
        options(std::move(options_)),
        operands(operands_),
        dash_numbers(dash_numbers_) {}

  std::string name;             ///< the word that selects it; "" for the default command
  std::string help;             ///< what --help prints for it; "{options}" becomes the options table
  std::vector<Option> options;  ///< its own options (the program's global ones come too)
  bool operands = false;        ///< takes words besides its options (checked by the front end)
  bool dash_numbers = false;    ///< "-N" words go to Invocation::dash_numbers, not to the option parser
};

/// A front end.
struct Program {
  std::string name;              ///< "dkm", for messages
  std::vector<Option> global;    ///< options taken before or after the command
  std::vector<Command> commands; ///< a command line whose first word names none takes the "" one
  std::string see_help;          ///< appended to usage errors; "{command} " is the command's name and a space
  /// A long option may be written as an unambiguous prefix of its name (--dir for
  /// --directory), Boost.Program_options's default; false: exact names only.
  bool abbreviations = true;
  /// The global options are read only before the command, by their exact names; another
  /// option there is "unknown option 'X' before the command". After the command they are
  /// among the command's options. False: global options anywhere.
  bool globals_first = false;
};

/// What a command line asked for.
struct Invocation {
  const Command* command = nullptr;      ///< nullptr: no command word, and no default command
  std::string command_word;              ///< the first word when it names no command (an unknown command)
  boost::program_options::variables_map values;
  std::vector<std::string> operands;     ///< the command's words besides options
  std::vector<std::string> dash_numbers; ///< with Command::dash_numbers: its "-N" words, in order
  std::vector<std::string> leading;      ///< with globals_first: the global options given before the command

  /// True when the option was given (or has a default).
  bool has(const std::string& name) const { return values.count(name) > 0; }
  /// True when the global option `name` was given before the command (globals_first).
  bool before_command(const std::string& name) const;
  /// A text option's value, or `fallback`.
  std::string text(const std::string& name, const std::string& fallback = "") const;
  /// A repeatable text option's values.
  std::vector<std::string> texts(const std::string& name) const;
  /// A kInteger option's value, or `fallback`.
  long integer(const std::string& name, long fallback = 0) const;
  /// A kUnsigned option's value, or `fallback`.
  std::size_t count(const std::string& name, std::size_t fallback = 0) const;
  /// A kNumber option's value, or `fallback`.
  double number(const std::string& name, double fallback = 0) const;
};

/// Reads `args` (argv without argv[0]) against `program`. Throws dkm::UsageError whose
/// message names the command ("start: ...") and ends with the program's see_help.
Invocation parse(const Program& program, const std::vector<std::string>& args);

/// The usage error for `message`, with the program's see_help for `command` ("" for none).
std::string usage_message(const Program& program, const std::string& command, const std::string& message);

/// Runs a front end's `work`: an Error prints "PROGRAM: message" on stderr (after what
/// was printed on stdout) and gives its exit code; any other exception exit status 1.
int run_front_end(const std::string& program, const std::function<int()>& work);

/// `command`'s help, its "{options}" replaced by the table of the options that have help:
/// the program's global ones, then the command's.
std::string help_text(const Program& program, const Command& command);

}  // namespace dkm::cli

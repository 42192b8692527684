// The front ends' one argument-parsing pattern, on Boost.Program_options.
#include "command_line.hpp"

#include <dkm/core/error.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace dkm::cli {

namespace po = boost::program_options;

namespace {

/// Boost.Program_options's style for `program`: unix_style, without guessing long options
/// from a prefix when the program wants exact names.
int style(const Program& program) {
  return program.abbreviations ? po::command_line_style::unix_style
                               : po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
}
/// Where a command's words go.
constexpr const char* kOperands = "cli.operands";

/// Adds `option` to `desc`, without its help when `with_help` is false.
void add(po::options_description& desc, const Option& option, bool with_help) {
  const char* help = with_help ? option.help.c_str() : "";
  if (option.value == Value::kNone) {
    desc.add_options()(option.names.c_str(), help);
    return;
  }
  po::value_semantic* semantic = nullptr;
  switch (option.value) {
    case Value::kText:
      if (option.repeatable) {
        semantic = po::value<std::vector<std::string>>()->value_name(option.value_name);
      } else {
        auto* v = po::value<std::string>()->value_name(option.value_name);
        if (!option.default_value.empty()) v->default_value(option.default_value);
        semantic = v;
      }
      break;
    case Value::kInteger: {
      auto* v = po::value<long>()->value_name(option.value_name);
      if (!option.default_value.empty()) v->default_value(std::stol(option.default_value), option.default_value);
      semantic = v;
      break;
    }
    case Value::kUnsigned:
      semantic = po::value<std::size_t>()->value_name(option.value_name);
      break;
    case Value::kNumber:
      semantic = po::value<double>()->value_name(option.value_name);
      break;
    case Value::kNone:
      break;
  }
  desc.add_options()(option.names.c_str(), semantic, help);
}

/// Every option of `options`, for parsing.
po::options_description describe(const std::vector<Option>& options) {
  po::options_description desc;
  for (const auto& o : options) add(desc, o, false);
  return desc;
}

/// The command `word` names, or nullptr.
const Command* named_command(const Program& program, const std::string& word) {
  for (const auto& c : program.commands)
    if (!c.name.empty() && c.name == word) return &c;
  return nullptr;
}

/// The global option `word` is, by its exact name ("--directory", "--directory=X", "-d"), or nullptr.
const Option* exact_global(const Program& program, const std::string& word) {
  for (const auto& o : program.global) {
    auto comma = o.names.find(',');
    std::string long_name = "--" + o.names.substr(0, comma);
    if (word == long_name || (comma != std::string::npos && word == "-" + o.names.substr(comma + 1))) return &o;
    if (o.value != Value::kNone && word.rfind(long_name + "=", 0) == 0) return &o;
  }
  return nullptr;
}

/// Pass 1 of a globals_first program: the global options before the command, by their exact
/// names. Returns them with the words after the command, for the command's pass; with no
/// command, reads them into `inv` and returns nothing.
std::vector<std::string> read_leading_globals(const Program& program, const std::vector<std::string>& args,
                                              Invocation& inv, std::string& word) {
  std::vector<std::string> leading;
  std::size_t i = 0;
  for (; i < args.size() && !args[i].empty() && args[i][0] == '-'; ++i) {
    const Option* global = exact_global(program, args[i]);
    if (!global) throw UsageError(usage_message(program, "", "unknown option '" + args[i] + "' before the command"));
    inv.leading.push_back(global->names.substr(0, global->names.find(',')));
    leading.push_back(args[i]);
    if (global->value != Value::kNone && args[i].find('=') == std::string::npos && i + 1 < args.size())
      leading.push_back(args[++i]);
  }
  if (i < args.size()) word = args[i];
  inv.command = named_command(program, word);
  if (!inv.command) {
    po::store(po::command_line_parser(leading).options(describe(program.global)).style(style(program)).run(), inv.values);
    return {};
  }
  leading.insert(leading.end(), args.begin() + static_cast<long>(i) + 1, args.end());
  return leading;
}

/// Pass 1 of a program with named commands: the global options, wherever they are; the
/// first other word is the command. Returns the words left for the command.
std::vector<std::string> read_globals(const Program& program, const std::vector<std::string>& args, Invocation& inv,
                                      std::string& word) {
  if (program.globals_first) return read_leading_globals(program, args, inv, word);
  po::options_description globals = describe(program.global);
  po::parsed_options parsed = po::command_line_parser(args).options(globals).style(style(program)).allow_unregistered().run();
  po::store(parsed, inv.values);
  std::vector<std::string> rest = po::collect_unrecognized(parsed.options, po::include_positional);
  auto first = std::find_if(rest.begin(), rest.end(), [](const std::string& w) { return w.empty() || w[0] != '-'; });
  if (first != rest.end()) word = *first;
  inv.command = named_command(program, word);
  if (inv.command) rest.erase(first);
  return rest;
}

}  // namespace

std::string usage_message(const Program& program, const std::string& command, const std::string& message) {
  std::string hint = program.see_help;
  if (auto at = hint.find("{command} "); at != std::string::npos) hint.replace(at, 10, command.empty() ? "" : command + " ");
  return (command.empty() ? "" : command + ": ") + message + hint;
}

Invocation parse(const Program& program, const std::vector<std::string>& args) {
  Invocation inv;
  const Command* fallback = nullptr;
  bool named = false;
  for (const auto& c : program.commands) {
    if (c.name.empty()) fallback = &c;
    else named = true;
  }
  std::vector<std::string> rest = args;
  std::string word;
  try {
    if (named) rest = read_globals(program, args, inv, word);
  } catch (const po::error& e) {
    throw UsageError(usage_message(program, "", e.what()));
  }
  if (!inv.command) inv.command = fallback;
  if (!inv.command) {
    inv.command_word = word;
    return inv;
  }
  const Command& command = *inv.command;
  if (command.dash_numbers) {
    auto is_dash_number = [](const std::string& w) {
      return w.size() > 1 && w[0] == '-' && w.find_first_not_of("0123456789", 1) == std::string::npos;
    };
    for (const auto& w : rest)
      if (is_dash_number(w)) inv.dash_numbers.push_back(w);
    rest.erase(std::remove_if(rest.begin(), rest.end(), is_dash_number), rest.end());
  }
  po::options_description own = describe(command.options);
  if (!named || program.globals_first)
    for (const auto& o : program.global) add(own, o, false);
  po::positional_options_description positional;
  if (command.operands) {
    own.add_options()(kOperands, po::value<std::vector<std::string>>());
    positional.add(kOperands, -1);
  }
  try {
    po::store(po::command_line_parser(rest).options(own).positional(positional).style(style(program)).run(), inv.values);
    po::notify(inv.values);
  } catch (const po::error& e) {
    throw UsageError(usage_message(program, command.name, e.what()));
  }
  inv.operands = inv.texts(kOperands);
  return inv;
}

int run_front_end(const std::string& program, const std::function<int()>& work) {
  try {
    return work();
  } catch (const Error& e) {
    std::cout.flush();
    std::fflush(stdout);
    std::cerr << program << ": " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::fflush(stdout);
    std::cerr << program << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

std::string help_text(const Program& program, const Command& command) {
  std::string text = command.help;
  auto at = text.find("{options}");
  if (at == std::string::npos) return text;
  po::options_description shown("Options");
  for (const auto* list : {&program.global, &command.options})
    for (const auto& o : *list)
      if (!o.help.empty()) add(shown, o, true);
  std::ostringstream table;
  table << shown;
  return text.replace(at, 9, table.str());
}

bool Invocation::before_command(const std::string& name) const {
  return std::find(leading.begin(), leading.end(), name) != leading.end();
}

std::string Invocation::text(const std::string& name, const std::string& fallback) const {
  return has(name) ? values[name].as<std::string>() : fallback;
}

std::vector<std::string> Invocation::texts(const std::string& name) const {
  return has(name) ? values[name].as<std::vector<std::string>>() : std::vector<std::string>{};
}

long Invocation::integer(const std::string& name, long fallback) const { return has(name) ? values[name].as<long>() : fallback; }

std::size_t Invocation::count(const std::string& name, std::size_t fallback) const {
  return has(name) ? values[name].as<std::size_t>() : fallback;
}

double Invocation::number(const std::string& name, double fallback) const {
  return has(name) ? values[name].as<double>() : fallback;
}

}  // namespace dkm::cli

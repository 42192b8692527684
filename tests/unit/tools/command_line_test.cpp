// tools/cli: the front ends' one argument-parsing pattern, a table of commands with their
// options and help, read with Boost.Program_options.
#include <catch2/catch.hpp>

#include "cli/command_line.hpp"

#include <dkm/core/error.hpp>

using namespace dkm;
using cli::Value;

namespace {

/// A front end like dkm: global options anywhere, commands with their own.
const cli::Program kTool{
    "tool",
    {{"directory,d", Value::kText, "DIR", "the install"}, {"help,h", Value::kNone, "", "this help"}},
    {{"start", "usage: tool start [NAME...]\n{options}", {{"timeout,t", Value::kNumber, "S", "how long"}}, true},
     {"tail", "usage: tool tail NAME", {{"lines,n", Value::kUnsigned, "N"}, {"follow,f"}}, true},
     {"bytes", "usage: tool bytes [-N] NAME", {{"follow,f"}}, true, /*dash_numbers=*/true},
     {"plain", "usage: tool plain"}},
    " (see tool {command} --help)"};

/// A front end like the installer: one command.
const cli::Program kSingle{"single",
                           {},
                           {{"", "usage\n{options}tail\n",
                             {{"port,p", Value::kText, "PORT", "the port"},
                              {"only", Value::kText, "NAME", "repeatable", true},
                              {"jobs,j", Value::kInteger, "N", "jobs", false, "0"}}}},
                           " (see --help)",
                           /*abbreviations=*/false};

/// A front end like dkmadmin: global options before the command, by their exact names.
const cli::Program kGlobalsFirst{"admin",
                                 {{"directory,d", Value::kText, "DIR"}, {"help,h"}},
                                 {{"install", "usage: admin install", {{"force"}, {"name", Value::kText, "NAME"}}}},
                                 " (see admin {command} --help)",
                                 /*abbreviations=*/true,
                                 /*globals_first=*/true};

}  // namespace

TEST_CASE("a command line names its command, its options and its words, global options anywhere", "[cli]") {
  cli::Invocation inv = cli::parse(kTool, {"-d", "/srv/m", "start", "-t", "2.5", "web", "api", "--help"});
  REQUIRE(inv.command);
  CHECK(inv.command->name == "start");
  CHECK(inv.text("directory") == "/srv/m");
  CHECK(inv.number("timeout") == 2.5);
  CHECK(inv.operands == std::vector<std::string>{"web", "api"});
  CHECK(inv.has("help"));
  inv = cli::parse(kTool, {"tail", "-f", "-n", "3", "web", "--directory=/x"});
  CHECK(inv.count("lines") == 3);
  CHECK(inv.has("follow"));
  CHECK(inv.text("directory") == "/x");
}

TEST_CASE("a command may take -N words of its own (supervisorctl's tail -100)", "[cli]") {
  cli::Invocation inv = cli::parse(kTool, {"-d", "/x", "bytes", "-100", "web", "stderr"});
  CHECK(inv.dash_numbers == std::vector<std::string>{"-100"});
  CHECK(inv.operands == std::vector<std::string>{"web", "stderr"});
  CHECK(inv.text("directory") == "/x");
  inv = cli::parse(kTool, {"bytes", "-f", "web"});
  CHECK(inv.has("follow"));
  CHECK(inv.dash_numbers.empty());
  CHECK_THROWS_AS(cli::parse(kTool, {"bytes", "-x", "web"}), UsageError);
  CHECK_THROWS_AS(cli::parse(kTool, {"tail", "-100", "web"}), UsageError);  // a command without them refuses them
}

TEST_CASE("no command, an unknown one, and a front end with a single command", "[cli]") {
  CHECK(cli::parse(kTool, {"-h"}).command == nullptr);
  cli::Invocation unknown = cli::parse(kTool, {"explode"});
  CHECK(unknown.command == nullptr);
  CHECK(unknown.command_word == "explode");
  cli::Invocation single = cli::parse(kSingle, {"-p", "27600", "--only", "a", "--only", "b"});
  REQUIRE(single.command);
  CHECK(single.command->name.empty());
  CHECK(single.text("port") == "27600");
  CHECK(single.texts("only") == std::vector<std::string>{"a", "b"});
  CHECK(single.integer("jobs") == 0);  // its default
}

TEST_CASE("bad options are usage errors naming the command and pointing at its help", "[cli]") {
  REQUIRE_THROWS_AS(cli::parse(kTool, {"start", "--bogus"}), UsageError);
  REQUIRE_THROWS_WITH(cli::parse(kTool, {"start", "--bogus"}),
                      "start: unrecognised option '--bogus' (see tool start --help)");
  REQUIRE_THROWS_WITH(cli::parse(kTool, {"start", "-t", "soon"}), Catch::StartsWith("start: ") && Catch::Contains("'soon'"));
  REQUIRE_THROWS_WITH(cli::parse(kTool, {"plain", "word"}), Catch::StartsWith("plain: ") && Catch::EndsWith("(see tool plain --help)"));
  REQUIRE_THROWS_WITH(cli::parse(kTool, {"-d"}), Catch::EndsWith("(see tool --help)"));
  // Without abbreviations a long option is never guessed from a prefix; one given twice is refused.
  REQUIRE_THROWS_WITH(cli::parse(kSingle, {"--po", "1"}), Catch::Contains("--po") && Catch::EndsWith("(see --help)"));
  REQUIRE_THROWS_WITH(cli::parse(kSingle, {"-p", "1", "-p", "2"}), Catch::Contains("port"));
}

TEST_CASE("with abbreviations a long option may be an unambiguous prefix of its name", "[cli]") {
  cli::Invocation inv = cli::parse(kTool, {"--dir", "/srv/m", "tail", "--fol", "web"});
  CHECK(inv.text("directory") == "/srv/m");
  CHECK(inv.has("follow"));
}

TEST_CASE("globals first: global options by exact name before the command, with the command's after it", "[cli]") {
  cli::Invocation inv = cli::parse(kGlobalsFirst, {"-d", "/srv/m", "install", "--for", "--name", "x"});
  REQUIRE(inv.command);
  CHECK(inv.text("directory") == "/srv/m");
  CHECK(inv.has("force"));
  CHECK(inv.before_command("directory"));
  inv = cli::parse(kGlobalsFirst, {"install", "-d", "/srv/m", "--help"});
  CHECK(inv.text("directory") == "/srv/m");
  CHECK(inv.has("help"));
  CHECK_FALSE(inv.before_command("help"));
  CHECK(cli::parse(kGlobalsFirst, {"--directory=/srv/m", "-h"}).before_command("help"));
  REQUIRE_THROWS_WITH(cli::parse(kGlobalsFirst, {"--dir", "/srv/m", "install"}),
                      "unknown option '--dir' before the command (see admin --help)");
  REQUIRE_THROWS_WITH(cli::parse(kGlobalsFirst, {"--force", "install"}),
                      "unknown option '--force' before the command (see admin --help)");
}

TEST_CASE("a command's help gets the table of the options that have help", "[cli]") {
  std::string help = cli::help_text(kTool, kTool.commands.front());
  CHECK_THAT(help, Catch::StartsWith("usage: tool start [NAME...]\nOptions:\n"));
  CHECK_THAT(help, Catch::Contains("-d [ --directory ] DIR the install") && Catch::Contains("-t [ --timeout ] S") &&
                       Catch::Contains("this help"));
  CHECK(cli::help_text(kTool, kTool.commands[1]) == "usage: tool tail NAME");
  CHECK_THAT(cli::help_text(kSingle, kSingle.commands.front()), Catch::EndsWith("tail\n") && !Catch::Contains("{options}"));
}

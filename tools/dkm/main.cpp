// dkm: runs an install's services with supervisorctl's command line (engine: libdkm/include/dkm/supervise).
#include "commands.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/supervise/client.hpp>
#include <dkm/supervise/daemon.hpp>
#include <dkm/supervise/install_owner.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

using namespace dkm;
using namespace dkm::supervise;

namespace {

/// A usage error for `message` (exit 2).
[[noreturn]] void usage(const std::string& message) {
  throw UsageError(cli::usage_message(tools::dkm_program(), "", message));
}

/// Refuses root unless DKM_ALLOW_ROOT=1: dkm runs as the owner of the install.
int refuse_root(const std::string& command) {
  const char* allow = std::getenv("DKM_ALLOW_ROOT");
  if (::geteuid() != 0 || (allow && std::strcmp(allow, "1") == 0)) return kExitOk;
  std::cerr << "dkm: refusing to run as root: run it as the owner of the install (su OWNER -c 'DIR/bin/dkm " << command
            << "'), or set DKM_ALLOW_ROOT=1\n";
  return kExitFailure;
}

/// tail's and maintail's reading of -f, -BYTES and -n LINES (supervisorctl's modifiers).
TailOptions tail_options(const std::string& command, const cli::Invocation& inv) {
  TailOptions o;
  o.follow = inv.has("follow");
  if (inv.has("lines")) o.lines = inv.count("lines");
  if (inv.dash_numbers.size() > 1) usage(command + ": one -BYTES at most");
  if (!inv.dash_numbers.empty()) {
    if (o.follow || o.lines) usage(command + ": -BYTES goes without -f and -n");
    const std::string digits = inv.dash_numbers.front().substr(1);
    if (digits.size() > 12) usage(command + ": " + inv.dash_numbers.front() + " is too many bytes");
    o.bytes = std::stoul(digits);
  }
  return o;
}

/// `dkm tail`: NAME and an optional channel.
int tail(const cli::Invocation& inv, const InstallLayout& layout) {
  const auto& args = inv.operands;
  if (args.empty() || args.size() > 2) usage("tail needs NAME and optionally stdout or stderr");
  TailOptions o = tail_options("tail", inv);
  if (args.size() == 2) {
    o.channel = args[1];
    std::transform(o.channel.begin(), o.channel.end(), o.channel.begin(), [](unsigned char c) { return std::tolower(c); });
    if (o.channel != "stdout" && o.channel != "stderr") usage("tail: '" + args[1] + "' is neither stdout nor stderr");
  }
  return dkm_tail(layout, args[0], o);
}

/// Commands on the configuration and the supervisor; -1 when `command` is none of them.
int run_config_command(const std::string& command, const cli::Invocation& inv, const InstallLayout& layout) {
  const auto& args = inv.operands;
  auto no_args = [&] {
    if (!args.empty()) usage(command + " takes no arguments");
  };
  if (command == "shutdown") return no_args(), dkm_shutdown(layout);
  if (command == "reread") return no_args(), dkm_reread(layout);
  if (command == "avail") return no_args(), dkm_avail(layout);
  if (command == "reload") return no_args(), dkm_reload(layout);
  if (command == "reopenlogs") return no_args(), dkm_reopenlogs(layout);
  if (command == "version") return no_args(), dkm_version(layout);
  if (command == "add") return dkm_add(layout, args);
  if (command == "remove") return dkm_remove(layout, args);
  if (command == "update") return dkm_update(layout, args);
  if (command == "maintail") {
    if (!args.empty()) usage("maintail: bad argument '" + args.front() + "' (it takes -f, -BYTES or -n LINES)");
    return dkm_maintail(layout, tail_options("maintail", inv));
  }
  return -1;
}

/// Runs `command` on the install with its operands.
int run_command(const std::string& command, const cli::Invocation& inv, const InstallLayout& layout) {
  const auto& args = inv.operands;
  if (command == "status") return dkm_status(layout, args);
  if (command == "start" || command == "restart")
    return dkm_start(layout, args, inv.number("timeout", kDefaultStartTimeout), command == "restart");
  if (command == "stop") return dkm_stop(layout, args);
  if (command == "pid") return dkm_pid(layout, args);
  if (command == "tail") return tail(inv, layout);
  if (command == "signal") {
    if (args.size() < 2) usage("signal needs a signal and a NAME (or all)");
    return dkm_signal(layout, args[0], {args.begin() + 1, args.end()});
  }
  if (command == "clear") {
    if (args.empty()) usage("clear needs a NAME (or all)");
    return dkm_clear(layout, args);
  }
  if (command == "fg") {
    if (args.size() != 1) usage("fg needs exactly one NAME");
    return dkm_fg(layout, args[0]);
  }
  if (command == "run") {
    if (args.size() != 1) usage("run needs exactly one NAME");
    return dkm_run(layout, args[0]);
  }
  if (int code = run_config_command(command, inv, layout); code >= 0) return code;
  if (!args.empty()) usage("supervise takes no arguments");
  return run_supervisor(layout, SuperviseOptions{inv.has("daemon"), static_cast<int>(inv.integer("notify-fd", -1)),
                                                 DKM_VERSION});
}

/// Prints the help `help` asks for: a command's, or dkm's.
void print_help(const cli::Invocation& inv) {
  const std::string* topic = inv.operands.empty() ? nullptr : &inv.operands.front();
  for (const auto& c : tools::dkm_program().commands)
    if (topic && c.name == *topic && c.name != "help") {
      std::cout << c.help;
      return;
    }
  std::cout << tools::kDkmUsage;
}

int dkm_main(const std::vector<std::string>& args, const char* argv0) {
  cli::Invocation inv = cli::parse(tools::dkm_program(), args);
  if (inv.has("version")) {
    std::cout << "dkm " DKM_VERSION "\n";
    return kExitOk;
  }
  if (!inv.command) {
    if (!inv.command_word.empty()) usage("unknown command '" + inv.command_word + "'");
    if (!inv.has("help")) usage("a command is required");
    std::cout << tools::kDkmUsage;
    return kExitOk;
  }
  const std::string& command = inv.command->name;
  if (command == "help") {
    print_help(inv);
    return kExitOk;
  }
  if (inv.has("help")) {
    std::cout << inv.command->help;
    return kExitOk;
  }
  if (inv.number("timeout", 0) < 0) usage(command + ": the timeout cannot be negative");
  if (int refused = refuse_root(command)) return refused;
  // One install, whichever path names it (a link, ".."): one supervisor, one marker.
  InstallLayout layout = canonical_install(find_install(inv.text("directory"), argv0));
  // The privilege rule (SECURITY.md): root never acts on another account's install on
  // that account's say-so (its services.ini, its run/, its processes); it refuses, exit 2.
  refuse_another_accounts_install(layout, args);
  return run_command(command, inv, layout);
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_front_end("dkm", [&] { return dkm_main({argv + 1, argv + argc}, argv[0]); });
}

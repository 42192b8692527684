#pragma once
// The installer's command line: its flags as a table (tools/cli), --help, and what the
// flags ask for, checked by libdkm (install::check_install_flags).
// Implementation: tools/installer/installer_command_line.cpp.

#include "cli/command_line.hpp"

#include <dkm/install/options.hpp>

#include <string>
#include <vector>

namespace dkm::installer {

/// The installer's table: one command, its flags.
const cli::Program& installer_program();

/// The --help text.
std::string installer_usage();

/// What a command line asked for.
struct InstallerRequest {
  bool help = false;               ///< --help: print usage, do nothing
  bool version = false;            ///< --version: print the version, do nothing
  install::InstallOptions options; ///< the install or update asked for (unless help or version)
};

/// Parses and checks the installer's arguments (without argv[0]). Throws UsageError
/// naming the flag at fault.
InstallerRequest parse_installer_command_line(const std::vector<std::string>& args);

}  // namespace dkm::installer

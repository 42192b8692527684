#pragma once
// dkm's command-line table: supervisorctl's commands, dkm's own (run, supervise), their
// options and their help (tools/cli's pattern). main.cpp reads a command line against it.
// Implementation: tools/dkm/commands.cpp.

#include "cli/command_line.hpp"

namespace dkm::tools {

/// `dkm --help`.
extern const char* const kDkmUsage;

/// dkm: its global options and its commands.
const cli::Program& dkm_program();

}  // namespace dkm::tools

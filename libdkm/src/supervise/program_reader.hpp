#pragma once
// One [program:NAME] section read into its processes, as supervisord reads it: its keys
// checked one by one, numprocs processes named by process_name, and %(...)s expanded
// with the names supervisord gives: here (the directory of the file that wrote the
// value), program_name, group_name, host_node_name, process_num, numprocs, and ENV_X for
// the supervisor's environment, [supervisord]'s `environment` and (everywhere but in
// `environment` itself) the program's own.
// Implementation: libdkm/src/supervise/program_reader.cpp.

#include "ini_reader.hpp"

#include <dkm/supervise/services_file.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dkm::supervise {

/// The group a program's processes belong to.
struct GroupOf {
  std::string name;             ///< the program's own name, or [group:NAME]'s
  std::optional<int> priority;  ///< [group:NAME]'s priority; none: the program's own
};

/// What every program starts from: the install's context and [supervisord]'s settings.
struct ProgramDefaults {
  const ExpansionContext& ctx;
  std::map<std::string, std::string> env;          ///< what ENV_X sees: ctx.env and [supervisord] environment
  std::map<std::string, std::string> environment;  ///< [supervisord] environment: every program's
  fs::path directory;                              ///< [supervisord] directory, else ctx.install_root
};

/// True when `name` can name a program, group or process (supervisord refuses a blank,
/// ':' and '/'; dkm also control characters and a leading '.').
bool is_valid_name(std::string_view name);

/// The processes of [program:NAME] `section` as members of `group`. Throws
/// UsageError("FILE:LINE: [program:NAME] KEY: ..."); `warnings` receives what is ignored.
std::vector<ProgramConfig> read_program(const IniDocument& doc, const IniSection& section, const GroupOf& group,
                                        const ProgramDefaults& defaults, std::vector<std::string>& warnings);

}  // namespace dkm::supervise

#pragma once
// The environment services start from, and that %(ENV_X)s in the services file sees:
// the supervisor's own environment, then DIR/bin/env (the installer's KEY=VALUE file),
// then DKM_HOME=DIR.

#include <dkm/core/files.hpp>
#include <dkm/core/install_layout.hpp>

#include <map>
#include <string>
#include <string_view>

extern char** environ;

namespace dkm::supervise {

/// This process's environment as a map.
inline std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) vars[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  return vars;
}

/// `startup_env`, then DIR/bin/env when it exists, then DKM_HOME=DIR.
/// Throws Error naming the env file and line when it is malformed.
inline std::map<std::string, std::string> service_base_environment(const InstallLayout& layout,
                                                                   const std::map<std::string, std::string>& startup_env) {
  auto env = startup_env;
  std::error_code ec;
  if (fs::is_regular_file(layout.env_file(), ec))
    for (auto& [k, v] : parse_env_file(read_file(layout.env_file()), layout.env_file().string())) env[k] = v;
  env["DKM_HOME"] = layout.root().string();
  return env;
}

}  // namespace dkm::supervise

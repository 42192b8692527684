#pragma once
// The supervisord.conf the ORIGINAL dkumonitor's installer writes for each install type,
// from the facts of its template (templates/supervisord.conf.j2), never copied from it:
// the socket run/svd.sock with user and password "dkumonitor", and one [program:NAME]
// per service, where a backend-agent gets collectd only (the template tests
// 'backend_agent' for go-carbon and carbonapi, which no -t value gives). Shared by the
// migration's unit tests (a fake install) and integration tests (a whole one).

#include <string>

namespace dkm::test {

/// supervisord.conf: the programs of `type`, as the original's template chose them.
inline std::string original_supervisord_conf(const std::string& type) {
  std::string out = R"([supervisord]
directory = %(ENV_DKUMONITOR_HOME)s/run
pidfile = %(ENV_DKUMONITOR_HOME)s/run/svd.pid
logfile = %(ENV_DKUMONITOR_HOME)s/run/svd.log

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[unix_http_server]
file = %(ENV_DKUMONITOR_HOME)s/run/svd.sock
username = dkumonitor
password = dkumonitor

[supervisorctl]
serverurl = unix://%(ENV_DKUMONITOR_HOME)s/run/svd.sock
username = dkumonitor
password = dkumonitor
)";
  auto program = [](const std::string& name, const std::string& command) {
    return "\n[program:" + name + "]\ndirectory = %(ENV_DKUMONITOR_HOME)s\ncommand = " + command +
           "\nstdout_logfile = %(ENV_DKUMONITOR_HOME)s/run/%(program_name)s-out.log\nredirect_stderr = true\n"
           "autorestart = true\nstartsecs = 10\nstopasgroup = true\n";
  };
  // The template runs go-carbon and carbonapi for 'backend_agent', which no -t gives.
  if (type == "all" || type == "server" || type == "backend") {
    out += program("go-carbon", "%(ENV_DKUMONITOR_HOME)s/bin/dkumonitor run %(program_name)s");
    out += program("carbonapi", "%(ENV_DKUMONITOR_HOME)s/bin/dkumonitor run %(program_name)s");
  }
  if (type == "all" || type == "server" || type == "frontend")
    out += program("grafana-server", "%(ENV_DKUMONITOR_HOME)s/bin/dkumonitor run %(program_name)s");
  if (type == "all" || type == "agent" || type == "backend-agent")
    out += program("collectd", "%(ENV_DKUMONITOR_ROOT)s/bin/collectd -f -C conf/collectd.conf");
  return out;
}

}  // namespace dkm::test

#pragma once
// The systemd unit: dkm start forks the supervisor (Type=forking, PIDFile), dkm stop
// ends it, the whole control group is killed on stop, and the sandbox leaves only the
// install directory writable.
// Implementation: libdkm/src/boot/systemd.cpp.

#include <dkm/boot/target.hpp>

#include <string>
#include <vector>

namespace dkm::boot {

/// Where the unit of `service` goes, as the booted system sees it.
inline fs::path systemd_unit_path(const std::string& service) {
  return fs::path("/etc/systemd/system") / (service + ".service");
}

/// The link `systemctl enable` makes for WantedBy=multi-user.target.
inline fs::path systemd_wants_link(const std::string& service) {
  return fs::path("/etc/systemd/system/multi-user.target.wants") / (service + ".service");
}

/// One word of a unit file setting: '%' doubled (specifiers), '$' doubled when
/// `exec` (ExecStart= expands variables), double quotes around words with blanks.
/// check_bootable_path() has ruled out '"', '\\' and control characters.
std::string systemd_word(const std::string& word, bool exec = false);

/// A command line for ExecStart= or ExecStop=, per systemd.service's "Command lines":
/// '%' is a specifier everywhere (doubled); '$' is expanded in the arguments (doubled
/// there) but not in the program's path, so a path that holds a '$' is written as is,
/// in the "@PATH ARGV0" form that gives argv[0] apart (escaped like an argument).
/// check_systemd_program() has accepted `program`.
std::string systemd_command(const fs::path& program, const std::vector<std::string>& args);

/// Throws UsageError when systemd cannot run `program` (`what` names it in the message):
/// a path holding a quote, which systemd refuses in an executable's name
/// ("Executable name contains special characters").
void check_systemd_program(const fs::path& program, const std::string& what);

/// A value systemd takes whole (PIDFile=, WorkingDirectory=, Description=): '%' doubled.
std::string systemd_value(const std::string& value);

inline constexpr const char* kSystemdUnitTemplate = R"UNIT(# Written by dkmadmin install-boot for the dkumonitor install in {{home_comment}}.
# Remove it with: {{dkmadmin_comment}} uninstall-boot{{name_flag}}
{{home_marker}}
[Unit]
Description=dkumonitor monitoring stack{{instance_description}} in {{home_description}}
After=network-online.target
Wants=network-online.target

[Service]
# dkm start forks the supervisor, starts every service and returns once they are
# RUNNING; the supervisor's pid file names the main process.
Type=forking
User={{user}}
WorkingDirectory={{working_directory}}
Environment={{environment}}
PIDFile={{pid_file}}
ExecStart={{exec_start}}
ExecStop={{exec_stop}}
TimeoutStartSec=300
# dkm stop goes one priority after another, each allowed its stopwaitsecs (4 x 30 s).
TimeoutStopSec=150
Restart=on-failure
RestartSec=5
KillMode=control-group
# go-carbon keeps a file open per whisper file it writes.
LimitNOFILE=65536
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths={{writable}}
ProtectHome={{protect_home}}
PrivateTmp={{private_tmp}}
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
PrivateDevices=yes
PrivateMounts=yes
{{#unprivileged}}
CapabilityBoundingSet=
{{/unprivileged}}
# Not ProtectProc=invisible nor PrivateUsers=: collectd's processes plugin watches
# every process of the host. Not RemoveIPC=: the account may be shared with the
# software being monitored, whose shared memory it would delete.

[Install]
WantedBy=multi-user.target
)UNIT";

/// The text of the systemd unit for `target`.
std::string render_systemd_unit(const BootTarget& target);

}  // namespace dkm::boot

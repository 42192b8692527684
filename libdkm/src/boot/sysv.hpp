#pragma once
// The SysV init script: an LSB header (update-rc.d, insserv) and a chkconfig header
// (Red Hat), and start|stop|restart|force-reload|status running dkm as the owner.
// Implementation: libdkm/src/boot/sysv.cpp.

#include <dkm/core/strings.hpp>
#include <dkm/boot/target.hpp>

#include <string>
#include <vector>

namespace dkm::boot {

/// Where the script of `service` goes, as the booted system sees it.
inline fs::path sysv_script_path(const std::string& service) { return fs::path("/etc/init.d") / service; }

/// The runlevel links that enable a script without update-rc.d or chkconfig (the
/// header's Default-Start and Default-Stop, chkconfig's priorities), as the booted
/// system sees them: link path and link text.
std::vector<std::pair<fs::path, fs::path>> sysv_runlevel_links(const std::string& service);

inline constexpr const char* kSysvScriptTemplate = R"SH(#!/bin/sh
### BEGIN INIT INFO
# Provides:          {{service}}
# Required-Start:    $remote_fs $network $syslog
# Required-Stop:     $remote_fs $network $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: dkumonitor monitoring stack{{instance_description}}
# Description:       go-carbon, carbonapi, Grafana and collectd kept running by dkm,
#                    from the dkumonitor install in {{home_comment}}.
### END INIT INFO
# chkconfig: 2345 80 20
# description: dkumonitor monitoring stack{{instance_description}} in {{home_comment}}
#
# Written by dkmadmin install-boot. Remove it with: {{dkmadmin_comment}} uninstall-boot{{name_flag}}
{{home_marker}}

NAME={{service}}
DKM_HOME={{home}}
DKM_USER={{user}}
DKM="$DKM_HOME/bin/dkm"
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH DKM_HOME
{{#run_as_root}}
DKM_ALLOW_ROOT=1
export DKM_ALLOW_ROOT
{{/run_as_root}}

# Runs dkm as DKM_USER (directly when that is who runs this script).
run_dkm() {
    cd "$DKM_HOME" || return 1
    if [ "$(id -un)" = "$DKM_USER" ]; then
        "$DKM" "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$DKM_USER" -- "$DKM" "$@"
    else
        su -s /bin/sh -c 'exec "$0" "$@"' "$DKM_USER" "$DKM" "$@"
    fi
}

do_start() {
    if [ ! -x "$DKM" ]; then
        echo "$NAME: $DKM is missing; was the install in $DKM_HOME removed?" >&2
        return 5
    fi
    # go-carbon keeps a file open per whisper file it writes.
    ulimit -n 65536 2>/dev/null || true
    echo "Starting $NAME (dkumonitor in $DKM_HOME, as $DKM_USER)"
    run_dkm start
}

do_stop() {
    echo "Stopping $NAME (dkumonitor in $DKM_HOME)"
    run_dkm stop
}

case "$1" in
    start) do_start ;;
    stop) do_stop ;;
    restart|force-reload)
        do_stop || exit 1
        do_start ;;
    status)
        if [ ! -x "$DKM" ]; then
            echo "$NAME: $DKM is missing" >&2
            exit 4
        fi
        run_dkm status ;;
    *)
        echo "Usage: $0 {start|stop|restart|force-reload|status}" >&2
        exit 2 ;;
esac
)SH";

/// The text of the SysV init script for `target`.
std::string render_sysv_script(const BootTarget& target);

}  // namespace dkm::boot

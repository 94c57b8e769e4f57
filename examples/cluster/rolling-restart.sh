#!/usr/bin/env bash
# Restarts the cluster's hosts one at a time, with no failed request at the load balancer:
# for each host, SIGQUIT (graceful: "Finishing ..."; its sockets close, so nginx's next
# connect is refused and goes to another host; kept connections close once idle; requests
# in flight finish), wait for the master's exit, start it again, and wait until it answers
# `jfpm ping` before the next host. See README.md and docs/scaling.md.
#
#   rolling-restart.sh DIR     DIR: the run dir of `run.sh start DIR` (or the one run.sh prints)
#
# The ports are the run dir's (run.sh wrote them there); JFPM as for run.sh. WAIT_EXIT (60): seconds a master may take to
# finish its requests (above process_control_timeout) before the restart gives up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:?usage: rolling-restart.sh DIR}
wait_exit=${WAIT_EXIT:-60}
hosts=(127.0.0.2 127.0.0.3 127.0.0.4)

say() { echo "rolling-restart: $(date +%T.%3N) $*"; }

alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

for n in 1 2 3; do
    ip=${hosts[$n - 1]}
    pid=$(cat "$dir/host$n.pid")
    alive "$pid" || { echo "rolling-restart: host $ip: master $pid is not running" >&2; exit 1; }
    say "host $ip: SIGQUIT to master $pid"
    kill -QUIT "$pid"
    for ((i = 0; i < wait_exit * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        echo "rolling-restart: host $ip: master $pid still running after ${wait_exit} s; stopping here" >&2
        exit 1
    fi
    say "host $ip: master $pid exited"
    "$here/run.sh" start-host "$dir" "$n"
    say "host $ip: restarted, master $(cat "$dir/host$n.pid")"
done
say "done: every host restarted"

#!/usr/bin/env bash
# The cluster example: Redis (sessions), three jfpm masters on 127.0.0.2, 127.0.0.3 and
# 127.0.0.4, and nginx on 127.0.0.1 balancing over them. See README.md.
#
#   run.sh                     start everything in a new temp dir, serve until Ctrl-C, stop
#   run.sh start DIR           start everything in DIR and return once every host answers
#   run.sh stop DIR            stop what DIR's pid files name (graceful), and Redis and nginx
#   run.sh start-host DIR N    start host N (1, 2 or 3) and return once it answers jfpm ping
#
# PORT (8080): nginx's port on 127.0.0.1; FPM_PORT (9000): each host's FastCGI port, and
# FPM_PORT+1 its status port (pm.status_listen). JFPM: the launcher (bin/jfpm).
# Each master runs in a pid namespace of its own (unshare --pid --fork --kill-child
# --mount-proc) where that works (root, or user namespaces), as each would on its own
# machine or in its own container; else as a plain process.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$(dirname "$here")")
# a run dir remembers its ports: start-host and rolling-restart.sh need not be told again
if [ $# -ge 2 ] && [ -f "$2/cluster.env" ]; then
    # shellcheck disable=SC1091
    . "$2/cluster.env"
fi
port=${PORT:-8080}
fpm_port=${FPM_PORT:-9000}
status_port=$((fpm_port + 1))
jfpm=${JFPM:-$root/bin/jfpm}
hosts=(127.0.0.2 127.0.0.3 127.0.0.4)

say() { echo "cluster: $(date +%T.%3N) $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

# alive PID: the process exists and is not a zombie left for a parent that is not us
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

# await_exit PID SECONDS: true once PID is gone
await_exit() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        alive "$1" || return 0
        sleep 0.1
    done
    return 1
}

check_tools() {
    command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx)"
    command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server php8.2-redis)"
    [ -x "$jfpm" ] || die "$jfpm not found: build jfpm first (mvn package)"
}

start_redis() {
    local dir=$1
    setsid redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 777 --save '' \
        --appendonly no --daemonize no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/redis.pid"
    local i
    for ((i = 0; i < 100; i++)); do
        [ -S "$dir/redis.sock" ] && return 0
        alive "$(cat "$dir/redis.pid")" || die "redis-server exited at start: $(cat "$dir/redis.log")"
        sleep 0.1
    done
    die "redis-server did not create $dir/redis.sock in 10 s"
}

# start_host DIR N: the master for hosts[N-1]; its pid (as seen from here) in DIR/hostN.pid
start_host() {
    local dir=$1 n=$2 ip=${hosts[$2 - 1]}
    local args=(-F -O -y "$here/php-fpm.conf")
    [ "$(id -u)" = 0 ] && args+=(-R) # root may run pools only when asked to, as with php-fpm
    local ns=()
    if unshare --pid --fork --kill-child --mount-proc true 2>/dev/null; then
        ns=(unshare --pid --fork --kill-child --mount-proc)
    fi
    JFPM_HOST=$ip JFPM_PORT=$fpm_port JFPM_STATUS_PORT=$status_port JFPM_CLUSTER_RUN=$dir setsid "${ns[@]}" "$jfpm" "${args[@]}" \
        </dev/null >>"$dir/host$n.out" 2>&1 &
    local launcher=$! master="" i
    if [ ${#ns[@]} -gt 0 ]; then
        # unshare forks the master: its pid here is unshare's child's (inside it is pid 1)
        for ((i = 0; i < 100; i++)); do
            master=$(cat "/proc/$launcher/task/$launcher/children" 2>/dev/null || true)
            master=${master%% *}
            [ -n "$master" ] && break
            sleep 0.05
        done
        [ -n "$master" ] || die "host $ip: unshare started no master"
    else
        master=$launcher
    fi
    echo "$master" >"$dir/host$n.pid"
    for ((i = 0; i < 600; i++)); do
        if "$jfpm" ping --timeout 1 "$ip:$status_port" >/dev/null 2>&1; then
            say "host $ip: master $master answers jfpm ping${ns:+ (own pid namespace)}"
            return 0
        fi
        alive "$master" || die "host $ip: the master exited at start: $(tail -5 "$dir/host$n.out")"
        sleep 0.1
    done
    die "host $ip: no answer to jfpm ping in 60 s"
}

start_nginx() {
    local dir=$1 user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root root;"
    mkdir -p "$dir/nginx"
    sed -e "s|@RUN@|$dir|g" -e "s|@APP@|$here/app|g" -e "s|@PORT@|$port|g" -e "s|@FPM_PORT@|$fpm_port|g" \
        -e "s|@USER_LINE@|$user_line|g" "$here/nginx.conf" >"$dir/nginx.conf"
    setsid nginx -p "$dir/nginx" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/nginx.pid.run"
    local i
    for ((i = 0; i < 100; i++)); do
        curl -s -o /dev/null "http://127.0.0.1:$port/host.php" && return 0
        alive "$(cat "$dir/nginx.pid.run")" || die "nginx exited at start: $(cat "$dir/nginx-error.log")"
        sleep 0.1
    done
    die "nginx did not answer on 127.0.0.1:$port in 10 s"
}

start_all() {
    local dir=$1 n
    check_tools
    mkdir -p "$dir"
    chmod 0755 "$dir"
    printf 'PORT=%s\nFPM_PORT=%s\n' "$port" "$fpm_port" >"$dir/cluster.env"
    start_redis "$dir"
    for n in 1 2 3; do
        start_host "$dir" "$n"
    done
    start_nginx "$dir"
    say "serving $here/app at http://127.0.0.1:$port/counter.php (hosts ${hosts[*]}, port $fpm_port)"
}

# stop PIDFILE SIGNAL SECONDS: signal the pid the file names, wait, then SIGKILL
stop_one() {
    local file=$1 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file")
    if alive "$pid"; then
        kill "-$2" "$pid" 2>/dev/null || true
        await_exit "$pid" "$3" || { kill -KILL "$pid" 2>/dev/null || true; await_exit "$pid" 5 || true; }
    fi
    rm -f "$file"
}

stop_all() {
    local dir=$1 n
    stop_one "$dir/nginx.pid.run" QUIT 10
    for n in 1 2 3; do
        stop_one "$dir/host$n.pid" QUIT 30
    done
    stop_one "$dir/redis.pid" TERM 10
}

case "${1:-}" in
    start) [ $# = 2 ] || die "usage: run.sh start DIR"; start_all "$2" ;;
    stop) [ $# = 2 ] || die "usage: run.sh stop DIR"; stop_all "$2"; say "stopped" ;;
    start-host)
        [ $# = 3 ] && [[ $3 =~ ^[123]$ ]] || die "usage: run.sh start-host DIR 1|2|3"
        check_tools
        start_host "$2" "$3"
        ;;
    "")
        dir=$(mktemp -d "${TMPDIR:-/tmp}/jfpm-cluster.XXXXXX")
        finish() {
            trap - EXIT INT TERM
            stop_all "$dir"
            rm -rf "$dir"
            say "stopped"
        }
        trap finish EXIT
        trap 'exit 130' INT TERM
        start_all "$dir"
        say "run dir $dir; rolling restart: $here/rolling-restart.sh $dir"
        say "one view of every host: $jfpm top ${hosts[*]/%/:$status_port}"
        say "Ctrl-C stops"
        while alive "$(cat "$dir/nginx.pid.run")"; do sleep 1; done
        say "nginx ended on its own" >&2
        ;;
    *) die "usage: run.sh [start DIR | stop DIR | start-host DIR 1|2|3]" ;;
esac

#!/usr/bin/env bash
# jfpm demo: serves examples/public with jfpm behind nginx on http://127.0.0.1:8080
# (PORT=... to change it) until Ctrl-C, then stops both and removes its runtime dir.
# Build first:  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn package
# JFPM=/usr/sbin/php-fpm8.2 runs the same demo on Debian's php-fpm, for comparison.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
port=${PORT:-8080}
jfpm=${JFPM:-$root/bin/jfpm}

command -v nginx >/dev/null || { echo "demo: nginx is not installed (apt-get install nginx)" >&2; exit 1; }
[ -x "$jfpm" ] || { echo "demo: $jfpm not found: build jfpm first (mvn package)" >&2; exit 1; }

# Everything the demo writes (pid files, sockets, logs, sessions, uploads, nginx temp files)
run=$(mktemp -d "${TMPDIR:-/tmp}/jfpm-demo.XXXXXX")
chmod 0755 "$run"
mkdir -p "$run/sessions" "$run/uploads" "$run/nginx"
export JFPM_DEMO_RUN=$run

jfpm_pid=""
nginx_pid=""
stop() {
    trap - EXIT INT TERM
    [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    [ -n "$jfpm_pid" ] && kill -TERM "$jfpm_pid" 2>/dev/null && wait "$jfpm_pid" 2>/dev/null
    rm -rf "$run"
    echo "demo: stopped"
}
trap stop EXIT
trap 'exit 130' INT TERM

args=(-F -O -y "$here/php-fpm.conf")
user_line=""
if [ "$(id -u)" = 0 ]; then
    args+=(-R)                 # root may run pools only when asked to, as with php-fpm
    user_line="user root root;" # nginx workers must reach the root-owned 0660 socket
fi

# jfpm logs to this terminal (-F -O); the launcher execs the JVM, so $! is the master's pid
"$jfpm" "${args[@]}" &
jfpm_pid=$!
for _ in $(seq 1 300); do
    [ -S "$run/demo.sock" ] && break
    kill -0 "$jfpm_pid" 2>/dev/null || { echo "demo: jfpm exited at start" >&2; exit 1; }
    sleep 0.1
done
[ -S "$run/demo.sock" ] || { echo "demo: jfpm did not create $run/demo.sock in 30 s" >&2; exit 1; }

sed -e "s|@RUN@|$run|g" -e "s|@PUBLIC@|$here/public|g" -e "s|@PORT@|$port|g" \
    -e "s|@USER_LINE@|$user_line|g" "$here/nginx.conf" > "$run/nginx.conf"
nginx -p "$run/nginx" -c "$run/nginx.conf" -e "$run/nginx-error.log" &
nginx_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    kill -0 "$nginx_pid" 2>/dev/null || { echo "demo: nginx exited at start:" >&2; cat "$run/nginx-error.log" >&2; exit 1; }
    sleep 0.1
done

echo
echo "demo: serving $here/public at  http://127.0.0.1:$port/   (Ctrl-C stops)"
echo "demo: runtime dir $run"
echo
# until one of the two ends, or Ctrl-C
wait -n "$jfpm_pid" "$nginx_pid" || true
echo "demo: a process ended on its own" >&2

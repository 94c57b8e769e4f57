#!/usr/bin/env bash
# bench/peers.sh: the master's memory, threads and fds under slow and hostile FastCGI peers.
#
#   bench/peers.sh [CONNECTIONS] [SECONDS]        (default 300 connections, 20 s)
#
# Starts jfpm (bin/jfpm, after `mvn package`) with one static pool of 4 workers on a
# loopback TCP port, lets it settle, then runs bench/slowpeers.py against it (CONNECTIONS
# slow heads at once, hostile peers every second) while sampling the master every second.
# Prints the samples and a last line usable as a check:
#   peers: connections=300 rss_kb before=56832 max=61720 after=60112 threads before=24 after=24 fds before=34 after=34
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
CONNECTIONS=${1:-300}
SECONDS_RUN=${2:-20}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

dir=$(mktemp -d /tmp/jfpm-peers.XXXXXX)
chmod 755 "$dir"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user_line=""
[ "$(id -u)" != 0 ] || user_line="user = nobody"
cat >"$dir/php-fpm.conf" <<CONF
[global]
pid = $dir/jfpm.pid
error_log = $dir/jfpm.log
[www]
$user_line
listen = 127.0.0.1:$port
listen.backlog = 1024
pm = static
pm.max_children = 4
CONF
"$ROOT/bin/jfpm" -F -y "$dir/php-fpm.conf" >"$dir/output.log" 2>&1 &
master=$!
trap 'kill -TERM "$master" 2>/dev/null || true; wait "$master" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  grep -q 'ready to handle connections' "$dir/jfpm.log" 2>/dev/null && break
  kill -0 "$master" 2>/dev/null || { cat "$dir/output.log" "$dir/jfpm.log" >&2; exit 2; }
  sleep 0.1
done
sleep 10 # start-up's compiler arenas are given back within seconds: measure the settled master

sample() { # rss_kb threads fds
  echo "$(awk '/^VmRSS:/{print $2}' "/proc/$master/status") $(ls "/proc/$master/task" | wc -l) $(ls "/proc/$master/fd" | wc -l)"
}
read -r rss0 threads0 fds0 < <(sample)
/usr/bin/python3 "$HERE/slowpeers.py" 127.0.0.1 "$port" "$CONNECTIONS" "$SECONDS_RUN" >"$dir/peers.out" &
peers=$!
max=$rss0
echo "| second | master RSS kB | threads | fds |"
echo "|---:|---:|---:|---:|"
t=0
while kill -0 "$peers" 2>/dev/null; do
  sleep 1
  t=$((t + 1))
  read -r rss threads fds < <(sample)
  [ "$rss" -gt "$max" ] && max=$rss
  echo "| $t | $rss | $threads | $fds |"
done
wait "$peers"
sleep 6 # the head timeout (5 s) closes what the peers left open
read -r rss1 threads1 fds1 < <(sample)
echo "peers: connections=$CONNECTIONS opened=$(cat "$dir/peers.out") rss_kb before=$rss0 max=$max after=$rss1" \
  "threads before=$threads0 after=$threads1 fds before=$fds0 after=$fds1" \
  "warnings=$(grep -c 'closing FastCGI connection' "$dir/jfpm.log" || true)"

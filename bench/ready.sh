#!/usr/bin/env bash
# bench/ready.sh: how long from launch until the first request is answered, and from
# SIGTERM until the manager has exited?
#
#   bench/ready.sh [ROUNDS]      (default 7)
#   READY_AOT=no bench/ready.sh [ROUNDS]   (jfpm without its AOT cache only: no training, no
#                                           cached variant; jfpm_ms prints as -)
#
# Starts jfpm (bin/jfpm) and php-fpm8.2 in turn on the same generated pool (pm = static,
# 4 children, a unix socket), polls the socket with cgi-fcgi every 10 ms from the moment
# of launch until a hello script answers, stops the manager, and repeats ROUNDS times,
# interleaved; jfpm twice, with the JVM's AOT cache (bin/jfpm-aot, run first when the cache
# is missing or older than the jar) and without it. Prints every time and as its last line
# the medians:
#   ready: jfpm_ms=900 jfpm_no_aot_ms=1060 fpm_ms=130 rounds=7
#   stop: jfpm_ms=90 fpm_ms=5 rounds=7
# The stop is timed with the 4 workers idle, from kill -TERM until the manager's exit
# status is collected (its workers are gone by then: both stop them before exiting).
# Run from the repository root after `mvn package`; needs php8.2-fpm, php8.2-cgi and
# libfcgi-bin (cgi-fcgi). As root the pool runs as www-data.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-7}
PHP_FPM=${PHP_FPM:-/usr/sbin/php-fpm8.2}
command -v cgi-fcgi >/dev/null || { echo "ready.sh: cgi-fcgi not found (apt-get install libfcgi-bin)" >&2; exit 2; }

dir=$(mktemp -d /tmp/jfpm-ready.XXXXXX)
chmod 755 "$dir"
manager=""
cleanup() {
  [ -z "$manager" ] || kill "$manager" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
printf '<?php echo "ready\\n";\n' >"$dir/ready.php"
chmod 644 "$dir/ready.php"
user=""
if [ "$(id -u)" = 0 ]; then user="user = www-data"; fi
cat >"$dir/php-fpm.conf" <<EOF
[global]
pid = $dir/fpm.pid
error_log = $dir/fpm.log
daemonize = no
[ready]
listen = $dir/php.sock
$user
listen.mode = 0666
pm = static
pm.max_children = 4
EOF

# launch NAME COMMAND...: "READY_MS STOP_MS": launch to the first answer, SIGTERM to exit
launch() {
  local name=$1; shift
  rm -f "$dir/php.sock"
  local t0 t1 t2
  t0=$(date +%s%N)
  "$@" >"$dir/$name.out" 2>&1 &
  manager=$!
  for _ in $(seq 1 1000); do
    if SCRIPT_FILENAME=$dir/ready.php REQUEST_METHOD=GET cgi-fcgi -bind -connect "$dir/php.sock" 2>/dev/null \
        | grep -q '^ready$'; then
      t1=$(date +%s%N)
      kill "$manager"; wait "$manager" 2>/dev/null || true; manager=""
      t2=$(date +%s%N)
      echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))"
      return 0
    fi
    kill -0 "$manager" 2>/dev/null || break
    sleep 0.01
  done
  echo "ready.sh: $name did not answer; its output:" >&2
  cat "$dir/$name.out" >&2
  return 1
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# jfpm as installed: with the JVM's AOT cache, trained here when missing or older than the jar
WITH_AOT=${READY_AOT:-yes}
if [ "$WITH_AOT" != no ] && ! [ "$ROOT/target/jfpm.aot" -nt "$ROOT/target/jfpm.jar" ]; then
  "$ROOT/bin/jfpm-aot" >&2
fi

jfpm_all=""; cold_all=""; fpm_all=""; jstop_all=""; fstop_all=""
for round in $(seq 1 "$ROUNDS"); do
  if [ "$WITH_AOT" != no ]; then
    read -r j js < <(launch jfpm "$ROOT/bin/jfpm" -F -y "$dir/php-fpm.conf")
    read -r c _ < <(JFPM_AOT_CACHE="" launch jfpm-cold "$ROOT/bin/jfpm" -F -y "$dir/php-fpm.conf")
  else
    j=-
    read -r c js < <(JFPM_AOT_CACHE="" launch jfpm-cold "$ROOT/bin/jfpm" -F -y "$dir/php-fpm.conf")
  fi
  read -r f fs < <(launch fpm "$PHP_FPM" -F -y "$dir/php-fpm.conf")
  echo "round $round: jfpm ${j} ms, jfpm without its AOT cache ${c} ms, php-fpm ${f} ms;" \
    "stop: jfpm ${js} ms, php-fpm ${fs} ms"
  [ "$j" = - ] || jfpm_all="$jfpm_all $j"
  cold_all="$cold_all $c"; fpm_all="$fpm_all $f"
  jstop_all="$jstop_all $js"; fstop_all="$fstop_all $fs"
done
echo "ready: jfpm_ms=$( [ -n "$jfpm_all" ] && echo "$jfpm_all" | median || echo -) jfpm_no_aot_ms=$(echo "$cold_all" | median)" \
  "fpm_ms=$(echo "$fpm_all" | median) rounds=$ROUNDS"
echo "stop: jfpm_ms=$(echo "$jstop_all" | median) fpm_ms=$(echo "$fstop_all" | median) rounds=$ROUNDS"

#!/usr/bin/env bash
# bench/soak.sh: does the jfpm master's memory stay flat under a long mixed load?
#
#   bench/soak.sh [MINUTES] [-- run.sh options]     (default 10 minutes)
#
# Runs bench/run.sh against jfpm alone (hello, page10k, post100k, out1m, session and
# overload in turn, 20 s per wrk run, repeated to fill MINUTES) and meanwhile samples the
# master's RSS from /proc every 10 s. Prints the samples, run.sh's own table, and as its
# last line a summary usable as a check:
#   soak: minutes=10 samples=61 rss_kb first=60120 max=61004 last=60388 late_growth_kb=268 errors=0
# late_growth_kb compares the last third of the samples with the middle third: a leak shows
# there, the start-up and warm-up growth does not. Run from the repository root after
# `mvn package`; needs what run.sh needs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MINUTES=10
if [ $# -gt 0 ] && [ "$1" != "--" ]; then MINUTES=$1; shift; fi
[ "${1:-}" != "--" ] || shift

SCENARIOS=hello,page10k,post100k,out1m,session,overload
RUN_SECONDS=20
# each repeat runs every scenario once (plus a 1 s warm-up per scenario, paid once)
REPEATS=$(( (MINUTES * 60 + 6 * RUN_SECONDS - 1) / (6 * RUN_SECONDS) ))

log=$(mktemp -d /tmp/jfpm-soak.XXXXXX)
trap 'rm -rf "$log"' EXIT

"$HERE/run.sh" -d "$RUN_SECONDS" -r "$REPEATS" -s "$SCENARIOS" "$@" \
  'jfpm=cmd:exec bin/jfpm -F -y $BENCH_FPM_CONF' >"$log/run.out" 2>&1 &
runner=$!

# the master: the JVM whose command line names jfpm's jar and the harness's config
master=""
for _ in $(seq 1 300); do
  for pid in $(pgrep -f 'jfpm.jar -F -y .*php-fpm.conf' || true); do
    if grep -q BENCH_FPM_CONF "/proc/$pid/environ" 2>/dev/null; then
      master=$pid
    fi
  done
  [ -n "$master" ] && break
  kill -0 "$runner" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$master" ]; then
  wait "$runner" || true
  cat "$log/run.out"
  echo "soak.sh: the jfpm master did not start" >&2
  exit 2
fi

echo "| minute | master RSS kB | high-water kB |"
echo "|---:|---:|---:|"
samples=()
start=$SECONDS
while kill -0 "$runner" 2>/dev/null && kill -0 "$master" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$master/status" 2>/dev/null || true)
  hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$master/status" 2>/dev/null || true)
  if [ -n "$rss" ]; then
    samples+=("$rss")
    awk -v t=$(( SECONDS - start )) -v r="$rss" -v h="$hwm" 'BEGIN { printf "| %.1f | %s | %s |\n", t / 60, r, h }'
  fi
  sleep 10
done
status=0
wait "$runner" || status=$?
echo
cat "$log/run.out"

n=${#samples[@]}
if [ "$n" -lt 3 ]; then
  echo "soak.sh: too few samples ($n)" >&2
  exit 2
fi
third=$(( n / 3 ))
mid=0; late=0; max=0
for i in "${!samples[@]}"; do
  s=${samples[$i]}
  [ "$s" -gt "$max" ] && max=$s
  if [ "$i" -ge "$third" ] && [ "$i" -lt $(( 2 * third )) ]; then mid=$(( mid + s )); fi
  if [ "$i" -ge $(( n - third )) ]; then late=$(( late + s )); fi
done
errors=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$log/run.out" | tail -1)
echo "soak: minutes=$MINUTES samples=$n rss_kb first=${samples[0]} max=$max last=${samples[$((n - 1))]}" \
  "late_growth_kb=$(( (late - mid) / third )) errors=${errors:-?}"
exit "$status"

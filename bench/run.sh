#!/usr/bin/env bash
# bench/run.sh: FastCGI process managers side by side behind one private nginx.
#
#   bench/run.sh [options] TARGET [TARGET...]
#
# Every target gets the same nginx server block on its own loopback port, the
# same PHP scripts (bench/php) and the same wrk load; runs are interleaved
# (A B, B A, A B ...) and ratios are to the first target. Run with --help.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PHP_DIR=$HERE/php

PHP_FPM=${PHP_FPM:-/usr/sbin/php-fpm8.2}
PHP_CGI=${PHP_CGI:-php-cgi8.2}
NGINX=${NGINX:-nginx}
WRK=${WRK:-wrk}

CHILDREN=4
DURATION=2
REPEATS=15
CONNS=""
THREADS=1
KEEP=off
WARMUP=1
SCENARIOS=""
NGINX_WORKERS=1
START_TIMEOUT=30
PORT_BASE=""
OUT=""
WRK_TIMEOUT=2
PIN=""
ALL_SCENARIOS="hello page10k sleep20 post100k out1m session overload bigapp"

usage() {
  cat <<'EOF'
usage: bench/run.sh [options] TARGET [TARGET...]

Targets (ratios are to the first one; prefix LABEL= to name one):
  fpm            /usr/sbin/php-fpm8.2 -F -y <generated php-fpm.conf>, pm=static
  cgi            one `php-cgi8.2 -b SOCK` with PHP_FCGI_CHILDREN=N (N children
                 accept() on one socket, as php-fpm's do): the floor
  cgi-rr         N single `php-cgi8.2 -b SOCKi`, nginx upstream least_conn
  hop            the cgi target behind bench/hop.c (built with gcc): a minimal
                 C relay, one epoll thread, kept worker connections; what any
                 manager that ends nginx's connections itself must at least pay
  cmd:COMMAND    any FastCGI server; `bash -c COMMAND` with, in its environment,
                   BENCH_LISTEN    unix socket path to listen on
                   BENCH_CHILDREN  N
                   BENCH_DOCROOT   document root (a copy of bench/php)
                   BENCH_FPM_CONF  php-fpm.conf with the fpm target's pool,
                                   listening on BENCH_LISTEN
                   BENCH_USER      pool user when run as root, else empty
                   BENCH_SESSIONS  session.save_path used by every target
                 e.g. 'jfpm=cmd:jfpm -F -y $BENCH_FPM_CONF' (single quotes).
                 The process it starts counts as the manager (master): end a
                 compound command with exec, e.g. 'cmd:cd x && exec y'.

Options:
  -n, --children N     workers per target (default 4)
  -d, --duration S     seconds per wrk run (default 2)
  -r, --repeats R      runs per scenario and target, median reported (default
                       15). Many short interleaved runs, not few long ones:
                       on a shared 2-core VM, 3 x 10 s gave two identical
                       php-fpms ratios of 0.83..1.18, 15 x 2 s gave 0.97..1.04
  -c, --connections C  wrk connections for hello/page10k/post100k/out1m/session
                       (default 2*N; sleep20 uses N, overload uses 4*N)
  -t, --threads T      wrk threads, 1 or 2 (default 1)
  -k, --keep-conn M    off | on | both (default off). on: fastcgi_keep_conn on
                       and an upstream keepalive pool of N connections; both:
                       every target twice, TARGET and TARGET+kc
  -s, --scenarios L    comma list from: hello,page10k,sleep20,post100k,out1m,bigapp,
                       session,overload (default all)
  -w, --warmup S       warm-up seconds per scenario and target (default 1)
  --quick              smoke check: 2 s runs, 1 repeat. Shows that everything
                       answers; its ratios are noise (+-20% here)
  --port P             first nginx port (default: first free from 18480)
  --out DIR            keep configs, logs and raw results in DIR
  --timeout S          wrk --timeout: slower answers are left out of p50/p99
                       and counted as errors (default 2)
  --start-timeout S    wait this long for a target's socket (default 30)
  --nginx-workers W    nginx worker_processes (default 1)
  --pin L:S            taskset CPU lists: wrk and nginx on L, every target
                       (manager and workers) on S, e.g. --pin 0:1 (default off)
  -h, --help

Prints a markdown table per scenario and target (median req/s, ratio to the
first target and its interquartile range, p50, p99, errors, stalled requests,
non-2xx, spread), memory and CPU of each manager from /proc, the CPU other
processes used meanwhile, and as its last line a summary usable as a check:
  bench: hello cgi/fpm=1.03 page10k cgi/fpm=1.04 ... errors=0 stalled=0
Exit status 0 when every target served every run, 1 or 2 otherwise.
EOF
}

die() { echo "run.sh: $*" >&2; exit 2; }

TARGET_SPECS=()
while [ $# -gt 0 ]; do
  case $1 in
    -n|--children) CHILDREN=$2; shift 2 ;;
    -d|--duration) DURATION=$2; shift 2 ;;
    -r|--repeats) REPEATS=$2; shift 2 ;;
    -c|--connections) CONNS=$2; shift 2 ;;
    -t|--threads) THREADS=$2; shift 2 ;;
    -k|--keep-conn) KEEP=$2; shift 2 ;;
    -s|--scenarios) SCENARIOS=$2; shift 2 ;;
    -w|--warmup) WARMUP=$2; shift 2 ;;
    --quick) DURATION=2; REPEATS=1; shift ;;
    --port) PORT_BASE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --start-timeout) START_TIMEOUT=$2; shift 2 ;;
    --timeout) WRK_TIMEOUT=$2; shift 2 ;;
    --nginx-workers) NGINX_WORKERS=$2; shift 2 ;;
    --pin) PIN=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; TARGET_SPECS+=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) TARGET_SPECS+=("$1"); shift ;;
  esac
done

isint() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }
[ ${#TARGET_SPECS[@]} -gt 0 ] || { usage >&2; exit 2; }
isint "$CHILDREN" || die "--children must be a positive integer"
isint "$DURATION" || die "--duration must be a positive integer (seconds)"
isint "$REPEATS" || die "--repeats must be a positive integer"
isint "$WARMUP" || [ "$WARMUP" = 0 ] || die "--warmup must be an integer"
[ "$THREADS" = 1 ] || [ "$THREADS" = 2 ] || die "--threads must be 1 or 2"
isint "$WRK_TIMEOUT" || die "--timeout must be a positive integer (seconds)"
[ -z "$CONNS" ] || isint "$CONNS" || die "--connections must be a positive integer"
CONNS=${CONNS:-$((2 * CHILDREN))}
[ "$CONNS" -ge "$THREADS" ] || die "--connections must be >= --threads"
case $KEEP in off|on|both) ;; *) die "--keep-conn must be off, on or both" ;; esac
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
SCENARIOS=${SCENARIOS//,/ }
for s in $SCENARIOS; do
  [[ " $ALL_SCENARIOS " == *" $s "* ]] || die "unknown scenario $s"
done

PIN_LOAD=(); PIN_SERVER=()
if [ -n "$PIN" ]; then
  [[ $PIN =~ ^([0-9,-]+):([0-9,-]+)$ ]] || die "--pin wants LOADCPUS:SERVERCPUS, e.g. 0:1"
  command -v taskset >/dev/null || die "taskset not found (util-linux)"
  PIN_LOAD=(taskset -c "${BASH_REMATCH[1]}"); PIN_SERVER=(taskset -c "${BASH_REMATCH[2]}")
fi

for tool in "$NGINX" "$WRK" curl setsid; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y nginx wrk curl)"
done

# ---- targets -----------------------------------------------------------
T_LABEL=(); T_KIND=(); T_CMD=()
for spec in "${TARGET_SPECS[@]}"; do
  label=""
  if [[ $spec =~ ^([A-Za-z0-9_.-]+)=(fpm|cgi|cgi-rr|hop|cmd:.*)$ ]]; then
    label=${BASH_REMATCH[1]}; spec=${BASH_REMATCH[2]}
  fi
  case $spec in
    fpm|cgi|cgi-rr|hop) kind=$spec; cmd="" ;;
    cmd:*) kind=cmd; cmd=${spec#cmd:}; [ -n "$cmd" ] || die "empty command in cmd:" ;;
    *) die "unknown target '$spec' (fpm, cgi, cgi-rr, hop, cmd:COMMAND)" ;;
  esac
  if [ -z "$label" ]; then
    label=$kind; n=2
    while [[ " ${T_LABEL[*]-} " == *" $label "* ]]; do label=$kind$n; n=$((n + 1)); done
  fi
  [[ " ${T_LABEL[*]-} " != *" $label "* ]] || die "duplicate target label $label"
  T_LABEL+=("$label"); T_KIND+=("$kind"); T_CMD+=("$cmd")
done
case " ${T_KIND[*]} " in *" fpm "*) [ -x "$PHP_FPM" ] || die "$PHP_FPM not found (apt-get install -y php8.2-fpm)" ;; esac
case " ${T_KIND[*]} " in *" cgi"*|*" hop "*) command -v "$PHP_CGI" >/dev/null || die "$PHP_CGI not found (apt-get install -y php8.2-cgi)" ;; esac
case " ${T_KIND[*]} " in *" hop "*) command -v gcc >/dev/null || die "gcc not found (apt-get install -y gcc)" ;; esac

# Variants: what wrk hits, one per target. With --keep-conn both every target
# is started twice (own processes): a kept-alive idle nginx connection pins a
# php-fpm/php-cgi worker, so the two variants must not share workers.
V_T=(); V_KC=(); V_LABEL=()
if [ "$KEEP" = both ]; then
  l0=("${T_LABEL[@]}"); k0=("${T_KIND[@]}"); c0=("${T_CMD[@]}")
  T_LABEL=(); T_KIND=(); T_CMD=()
  for i in "${!l0[@]}"; do
    T_LABEL+=("${l0[$i]}" "${l0[$i]}+kc"); T_KIND+=("${k0[$i]}" "${k0[$i]}"); T_CMD+=("${c0[$i]}" "${c0[$i]}")
  done
fi
for i in "${!T_LABEL[@]}"; do
  V_T+=("$i"); V_LABEL+=("${T_LABEL[$i]}")
  case $KEEP in off) V_KC+=(0) ;; on) V_KC+=(1) ;; both) V_KC+=($((i % 2))) ;; esac
done

# ---- private workspace, cleanup ---------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
chmod 755 "$TMP"
PIDS=()
cleanup() {
  local pid i
  trap - EXIT INT TERM
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$OUT" ]; then
    mkdir -p "$OUT" && cp -r "$TMP"/. "$OUT"/ 2>/dev/null || true
    find "$OUT" -type s -delete 2>/dev/null || true
    rm -rf "$OUT/sessions" "$OUT/ngx" || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
case " ${T_KIND[*]} " in *" hop "*) gcc -O2 -Wall -o "$TMP/hop" "$(dirname "$0")/hop.c" || die "bench/hop.c did not build" ;; esac

RUNAS=""
if [ "$(id -u)" = 0 ]; then
  if id www-data >/dev/null 2>&1; then RUNAS=www-data; else RUNAS=nobody; fi
  command -v setpriv >/dev/null || die "setpriv not found (util-linux)"
fi
RUNAS_GROUP=""
[ -z "$RUNAS" ] || RUNAS_GROUP=$(id -gn "$RUNAS")

WWW=$TMP/www
SESS=$TMP/sessions
mkdir -p "$WWW" "$SESS" "$TMP/ngx"
cp -p "$PHP_DIR"/*.php "$WWW"/  # -p: old mtimes, so opcache caches them at once
# bigapp: 300 generated classes of about 2 KB each, loaded on every request
mkdir -p "$WWW/bigapp"
for i in $(seq 0 299); do
  {
    echo "<?php"
    echo "final class Bigapp$i {"
    for m in $(seq 0 11); do
      echo "    public function m$m(array \$a, int \$n): array { foreach (\$a as \$k => \$v) { \$a[\$k] = \$v * $m + \$n; } return \$a; }"
    done
    echo "    public function weigh(int \$n): int { return count(\$this->m3([\$n, $i], 1)); }"
    echo "}"
  } >"$WWW/bigapp/Bigapp$i.php"
done
touch -d '2000-01-01' "$WWW/bigapp"/*.php
chmod 755 "$WWW/bigapp"; chmod 644 "$WWW/bigapp"/*.php
chmod 755 "$WWW"; chmod 644 "$WWW"/*.php; chmod 1733 "$SESS"

# 100 KiB POST body, and its md5 for the correctness check
printf '0123456789abcdef%.0s' $(seq 6400) >"$TMP/post100k.bin"
POST_MD5=$(md5sum <"$TMP/post100k.bin" | cut -d' ' -f1)

start_bg() { # LOG CMD... : start in its own session/process group, record pid
  local log=$1; shift
  setsid ${PIN_NOW[@]+"${PIN_NOW[@]}"} "$@" </dev/null >>"$log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

as_runas() { # prefix to drop to the pool user when root
  if [ -n "$RUNAS" ]; then echo setpriv --reuid="$RUNAS" --regid="$RUNAS_GROUP" --init-groups; fi
}

write_fpm_conf() { # FILE DIR SOCK
  {
    echo "[global]"
    echo "pid = $2/php-fpm.pid"
    echo "error_log = $2/php-fpm.log"
    echo "daemonize = no"
    echo
    echo "[bench]"
    echo "listen = $3"
    if [ -n "$RUNAS" ]; then
      echo "user = $RUNAS"
      echo "group = $RUNAS_GROUP"
      echo "listen.owner = $RUNAS"
      echo "listen.group = $RUNAS_GROUP"
      echo "listen.mode = 0660"
    fi
    echo "pm = static"
    echo "pm.max_children = $CHILDREN"
    echo "pm.max_requests = 0"
    echo "php_admin_value[session.save_path] = $SESS"
  } >"$1"
}

probe() { # SOCK: one FastCGI request straight to the socket (no nginx)
  if command -v cgi-fcgi >/dev/null; then
    env -i SCRIPT_FILENAME="$WWW/hello.php" SCRIPT_NAME=/hello.php DOCUMENT_ROOT="$WWW" \
      REQUEST_METHOD=GET REQUEST_URI=/hello.php SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
      timeout 3 cgi-fcgi -bind -connect "$1" >"$TMP/probe.out" 2>/dev/null || true
    grep -q 'Hello, world!' "$TMP/probe.out"
  else
    [ -S "$1" ]
  fi
}

T_PID=(); T_SOCKS=(); T_MASTER=(); T_ALLPIDS=()
PIN_NOW=(${PIN_SERVER[@]+"${PIN_SERVER[@]}"})
for i in "${!T_LABEL[@]}"; do
  npids=${#PIDS[@]}
  d=$TMP/t$i; mkdir -p "$d"; chmod 755 "$d"
  [ -z "$RUNAS" ] || chown "$RUNAS:$RUNAS_GROUP" "$d"
  log=$d/output.log; : >"$log"
  sock=$d/php.sock
  write_fpm_conf "$d/php-fpm.conf" "$d" "$sock"
  socks=$sock; master=1
  case ${T_KIND[$i]} in
    fpm)
      start_bg "$log" "$PHP_FPM" -F -y "$d/php-fpm.conf" ;;
    cgi)
      # shellcheck disable=SC2046
      start_bg "$log" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin PHP_FCGI_CHILDREN="$CHILDREN" PHP_FCGI_MAX_REQUESTS=0 \
        $(as_runas) "$PHP_CGI" -b "$sock" -d session.save_path="$SESS" ;;
    hop)
      # shellcheck disable=SC2046
      start_bg "$log" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin PHP_FCGI_CHILDREN="$CHILDREN" PHP_FCGI_MAX_REQUESTS=0 \
        $(as_runas) "$PHP_CGI" -b "$sock.php" -d session.save_path="$SESS"
      start_bg "$log" "$TMP/hop" "$sock" "$sock.php" "$CHILDREN" ;;
    cgi-rr)
      socks=""; master=0
      for k in $(seq 0 $((CHILDREN - 1))); do
        # shellcheck disable=SC2046
        start_bg "$log" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin PHP_FCGI_CHILDREN=0 PHP_FCGI_MAX_REQUESTS=0 \
          $(as_runas) "$PHP_CGI" -b "$d/php$k.sock" -d session.save_path="$SESS"
        socks="$socks $d/php$k.sock"
      done ;;
    cmd)
      start_bg "$log" env BENCH_LISTEN="$sock" BENCH_CHILDREN="$CHILDREN" BENCH_DOCROOT="$WWW" \
        BENCH_FPM_CONF="$d/php-fpm.conf" BENCH_USER="$RUNAS" BENCH_SESSIONS="$SESS" \
        bash -c "${T_CMD[$i]}" ;;
  esac
  T_PID+=("$LAST_PID"); T_SOCKS+=("${socks# }"); T_MASTER+=("$master")
  T_ALLPIDS+=("${PIDS[*]:$npids}")
done

# wait until every socket answers a FastCGI request
for i in "${!T_LABEL[@]}"; do
  deadline=$((SECONDS + START_TIMEOUT))
  for sock in ${T_SOCKS[$i]}; do
    until probe "$sock"; do
      if ! kill -0 "${T_PID[$i]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
        echo "run.sh: target ${T_LABEL[$i]} did not answer on $sock; its output:" >&2
        tail -n 20 "$TMP/t$i/output.log" "$TMP/t$i/php-fpm.log" 2>/dev/null >&2 || true
        exit 1
      fi
      sleep 0.2
    done
  done
done

# ---- nginx ----------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "$PORT_BASE" ]; then
  PORT_BASE=18480
  while :; do
    ok=1
    for v in "${!V_T[@]}"; do port_free $((PORT_BASE + v)) || { ok=0; break; }; done
    [ $ok = 1 ] && break
    PORT_BASE=$((PORT_BASE + 16))
    [ $PORT_BASE -lt 19480 ] || die "no free ports found from 18480"
  done
fi

cat >"$TMP/fastcgi_params" <<'EOF'
fastcgi_param  QUERY_STRING       $query_string;
fastcgi_param  REQUEST_METHOD     $request_method;
fastcgi_param  CONTENT_TYPE       $content_type;
fastcgi_param  CONTENT_LENGTH     $content_length;
fastcgi_param  SCRIPT_NAME        $fastcgi_script_name;
fastcgi_param  SCRIPT_FILENAME    $document_root$fastcgi_script_name;
fastcgi_param  REQUEST_URI        $request_uri;
fastcgi_param  DOCUMENT_URI       $document_uri;
fastcgi_param  DOCUMENT_ROOT      $document_root;
fastcgi_param  SERVER_PROTOCOL    $server_protocol;
fastcgi_param  REQUEST_SCHEME     $scheme;
fastcgi_param  HTTPS              $https if_not_empty;
fastcgi_param  GATEWAY_INTERFACE  CGI/1.1;
fastcgi_param  SERVER_SOFTWARE    nginx/$nginx_version;
fastcgi_param  REMOTE_ADDR        $remote_addr;
fastcgi_param  REMOTE_PORT        $remote_port;
fastcgi_param  SERVER_ADDR        $server_addr;
fastcgi_param  SERVER_PORT        $server_port;
fastcgi_param  SERVER_NAME        $server_name;
fastcgi_param  REDIRECT_STATUS    200;
EOF

{
  [ -z "$RUNAS" ] || echo "user $RUNAS $RUNAS_GROUP;"
  cat <<EOF
worker_processes $NGINX_WORKERS;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/ngx/body;
  fastcgi_temp_path $TMP/ngx/fastcgi;
  proxy_temp_path $TMP/ngx/proxy;
  scgi_temp_path $TMP/ngx/scgi;
  uwsgi_temp_path $TMP/ngx/uwsgi;
  client_body_buffer_size 128k;     # the 100 KiB POST stays in memory
  client_max_body_size 2m;
  fastcgi_max_temp_file_size 0;     # no disk buffering of the 1 MiB answer
  # wrk 4.1 never reports a request that gets no answer; nginx logs every
  # request that took 1 s or more, answered or abandoned (499) when wrk stops
  map \$request_time \$bench_stalled { ~^0[.] 0; default 1; }
  log_format bench_stalled '\$status \$request_time';
EOF
  for v in "${!V_T[@]}"; do
    i=${V_T[$v]}
    echo "  upstream v$v {"
    [ "${T_KIND[$i]}" = cgi-rr ] && echo "    least_conn;"
    for sock in ${T_SOCKS[$i]}; do echo "    server unix:$sock;"; done
    [ "${V_KC[$v]}" = 1 ] && echo "    keepalive $CHILDREN;"
    echo "  }"
    echo "  server {  # ${V_LABEL[$v]}"
    echo "    listen 127.0.0.1:$((PORT_BASE + v));"
    echo "    access_log $TMP/stalled-v$v.log bench_stalled if=\$bench_stalled;"
    echo "    root $WWW;"
    echo "    location ~ \.php\$ {"
    echo "      try_files \$uri =404;"
    echo "      include $TMP/fastcgi_params;"
    echo "      fastcgi_pass v$v;"
    [ "${V_KC[$v]}" = 1 ] && echo "      fastcgi_keep_conn on;"
    echo "    }"
    echo "  }"
  done
  echo "}"
} >"$TMP/nginx.conf"

"$NGINX" -t -q -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" || die "nginx -t failed on $TMP/nginx.conf"
PIN_NOW=(${PIN_LOAD[@]+"${PIN_LOAD[@]}"})
start_bg "$TMP/nginx-output.log" "$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" -g 'daemon off;'
NGINX_PID=$LAST_PID
for v in "${!V_T[@]}"; do
  for _ in $(seq 100); do ! port_free $((PORT_BASE + v)) && break; sleep 0.1; done
  port_free $((PORT_BASE + v)) && { cat "$TMP/nginx-error.log" >&2; die "nginx did not listen on $((PORT_BASE + v))"; }
done

# ---- correctness of every variant through nginx ---------------------------
check() { # VARIANT NAME EXPECT_REGEX CURL_ARGS...
  local v=$1 name=$2 want=$3; shift 3
  local got
  got=$(curl -s -m 5 -w ' HTTP%{http_code} %{size_download}' "$@" "http://127.0.0.1:$((PORT_BASE + v))/$name.php" | tail -c 200 | tr '\n' ' ')
  [[ $got =~ $want ]] || die "check failed: ${V_LABEL[$v]} /$name.php gave '$got', wanted /$want/"
}
for v in "${!V_T[@]}"; do
  check "$v" hello 'Hello, world! +HTTP200 14$'
  check "$v" page10k '</html> +HTTP200 10[0-9]{3}$'
  check "$v" sleep20 'slept 20 ms +HTTP200'
  check "$v" post100k "^102400 $POST_MD5 +HTTP200" -H 'Content-Type: application/octet-stream' --data-binary "@$TMP/post100k.bin"
  check "$v" out1m 'x +HTTP200 1048576$'
  # session: the same id twice must count two visits
  curl -s -m 5 -o /dev/null -b "PHPSESSID=benchcheck$v" "http://127.0.0.1:$((PORT_BASE + v))/session.php"
  check "$v" session 'visits=2 +HTTP200' -b "PHPSESSID=benchcheck$v"
  check "$v" bigapp 'bigapp 600 +HTTP200'
done

# ---- wrk scripts ------------------------------------------------------------------
cat >"$TMP/report.lua" <<'EOF'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, math.floor(latency:percentile(50)),
    math.floor(latency:percentile(99)), e.connect, e.read, e.write, e.status, e.timeout))
end
EOF
cp "$TMP/report.lua" "$TMP/get.lua"
{ cat "$TMP/report.lua"; cat <<EOF
wrk.method = "POST"
wrk.body = string.rep("0123456789abcdef", 6400)
wrk.headers["Content-Type"] = "application/octet-stream"
EOF
} >"$TMP/post.lua"
{ cat "$TMP/report.lua"; cat <<'EOF'
-- 256 session ids per wrk thread, used in turn: no two requests in flight
-- share a session file (PHP locks it), every request reads and writes one.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, nil, { Cookie = "PHPSESSID=bench" .. tostring(tid) .. "x" .. (n % 256) })
end
EOF
} >"$TMP/session.lua"

scen_path() { case $1 in overload) echo sleep20.php ;; *) echo "$1.php" ;; esac; }
scen_lua() { case $1 in post100k) echo "$TMP/post.lua" ;; session) echo "$TMP/session.lua" ;; *) echo "$TMP/get.lua" ;; esac; }
scen_conc() { case $1 in sleep20) echo "$CHILDREN" ;; overload) echo $((4 * CHILDREN)) ;; *) echo "$CONNS" ;; esac; }

RESULTS=$TMP/results.tsv
: >"$RESULTS"
SERVED=()
for v in "${!V_T[@]}"; do SERVED+=(0); done

alive_or_die() {
  local i
  for i in "${!T_LABEL[@]}"; do
    if [ "${T_MASTER[$i]}" = 1 ] && ! kill -0 "${T_PID[$i]}" 2>/dev/null; then
      echo "run.sh: target ${T_LABEL[$i]} exited during the run; its output:" >&2
      tail -n 20 "$TMP/t$i/output.log" "$TMP/t$i/php-fpm.log" 2>/dev/null >&2 || true
      exit 1
    fi
  done
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$TMP/nginx-error.log" >&2; die "nginx exited during the run"; }
}

stalled_lines() { wc -l <"$TMP/stalled-v$1.log" 2>/dev/null || echo 0; }

ticks_of() { # PID... -> CPU ticks (own + reaped children) summed
  local p t=0
  for p in "$@"; do
    t=$((t + $(sed -E 's/^.*\) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}' || echo 0) ))
  done
  echo $t
}
target_ticks() { # TARGET -> "master_ticks all_ticks" (master: own time only)
  local i=$1 m=0
  if [ "${T_MASTER[$i]}" = 1 ]; then
    m=$(sed -E 's/^.*\) //' "/proc/${T_PID[$i]}/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)
  fi
  # shellcheck disable=SC2046
  echo "${m:-0} $(ticks_of ${T_ALLPIDS[$i]} $(descendants ${T_ALLPIDS[$i]}))"
}

run_wrk() { # VARIANT SCENARIO SECONDS -> sets WRK_LINE (no subshell: SERVED must count)
  local v=$1 s=$2 secs=$3 c out n0 m0 a0 m1 a1
  c=$(scen_conc "$s")
  n0=$(stalled_lines "$v")
  read -r m0 a0 < <(target_ticks "${V_T[$v]}")
  out=$(timeout $((secs + 20)) ${PIN_LOAD[@]+"${PIN_LOAD[@]}"} "$WRK" -t"$THREADS" -c"$c" -d"${secs}s" --timeout "${WRK_TIMEOUT}s" \
        -s "$(scen_lua "$s")" "http://127.0.0.1:$((PORT_BASE + v))/$(scen_path "$s")" 2>&1) || true
  WRK_LINE=$(grep '^BENCH ' <<<"$out" || true)
  [ -n "$WRK_LINE" ] || { echo "$out" >&2; die "wrk gave no result for ${V_LABEL[$v]} $s"; }
  read -r m1 a1 < <(target_ticks "${V_T[$v]}")
  WRK_LINE="$WRK_LINE cpu_ticks=$((a1 - a0)) master_ticks=$((m1 - m0))"
  sleep 0.2  # nginx logs the requests wrk abandoned (499) as it closes them
  WRK_LINE="$WRK_LINE stalled=$(( $(stalled_lines "$v") - n0 ))"
  SERVED[$v]=$(( ${SERVED[$v]} + $(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$WRK_LINE") ))
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
descendants() { # PID -> all descendant pids
  local p c
  for p in "$@"; do
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done
  done
}
cpu_stat() { # machine ticks: total busy steal
  awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $2+$3+$4+$7+$8, $9}' /proc/stat
}
tree_ticks() { # CPU ticks of this script and everything it started (reaped or alive)
  local p t=0
  for p in $$ $(descendants $$); do
    t=$((t + $(sed -E 's/^.*\) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}' || echo 0) ))
  done
  echo $t
}
read -r CPU0_TOTAL CPU0_BUSY CPU0_STEAL < <(cpu_stat)
MINE0=$(tree_ticks)
LOAD0=$(loadavg)
NV=${#V_T[@]}
NS=$(wc -w <<<"$SCENARIOS")
EST=$(( NS * NV * (REPEATS * DURATION + WARMUP + REPEATS / 2) ))
echo "bench: $(nproc) CPUs, load $LOAD0; targets: ${V_LABEL[*]}; N=$CHILDREN children; keep-conn=$KEEP${PIN:+; pin $PIN}"
echo "bench: scenarios: $SCENARIOS; ${DURATION}s x $REPEATS repeats, wrk -t$THREADS, about $((EST / 60 + 1)) min" >&2

for s in $SCENARIOS; do
  if [ "$WARMUP" -gt 0 ]; then
    for v in "${!V_T[@]}"; do run_wrk "$v" "$s" "$WARMUP"; done
  fi
  for r in $(seq "$REPEATS"); do
    order=$(seq 0 $((NV - 1)))
    [ $((r % 2)) = 0 ] && order=$(seq $((NV - 1)) -1 0)
    for v in $order; do
      run_wrk "$v" "$s" "$DURATION"
      alive_or_die
      printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$v" "$r" "$(scen_conc "$s")" "$WRK_LINE" >>"$RESULTS"
      echo "  $s r$r ${V_LABEL[$v]}: ${WRK_LINE#BENCH }" >&2
    done
  done
done

read -r CPU1_TOTAL CPU1_BUSY CPU1_STEAL < <(cpu_stat)
MINE1=$(tree_ticks)
LOAD1=$(loadavg)

# ---- table -------------------------------------------------------------------------
LABELS=$(IFS=,; echo "${V_LABEL[*]}")
TABLE=$TMP/table.txt
awk -F'\t' -v labels="$LABELS" -v nv="$NV" -v scen="$SCENARIOS" -v hz="$(getconf CLK_TCK)" '
function median(arr, n,   i, j, t, b) {
  for (i = 1; i <= n; i++) b[i] = arr[i]
  for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
  return (n % 2) ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
function kv(line, key,   m) { if (match(line, key "=[0-9]+")) return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1); return 0 }
{
  s = $1; v = $2; r = $3; line = $5
  rps = kv(line, "requests") / (kv(line, "duration_us") / 1e6)
  k = s SUBSEP v; n[k]++; conc[k] = $4
  RPS[k, n[k]] = rps; P50[k, n[k]] = kv(line, "p50_us") / 1000; P99[k, n[k]] = kv(line, "p99_us") / 1000
  ERR[k] += kv(line, "connect") + kv(line, "read") + kv(line, "write") + kv(line, "timeout")
  TMO[k] += kv(line, "stalled")
  nreq = kv(line, "requests")
  CPU[k, n[k]] = nreq ? 1e6 * kv(line, "cpu_ticks") / hz / nreq : 0
  MCPU[k, n[k]] = nreq ? 1e6 * kv(line, "master_ticks") / hz / nreq : 0
  NON2XX[k] += kv(line, "status")
  BYREP[s, v, r] = rps
  reps[s] = (r > reps[s]) ? r : reps[s]
}
END {
  split(labels, L, ",")
  ns = split(scen, S, " ")
  printf "| scenario | conc | target | req/s | ratio | ratio IQR | p50 ms | p99 ms | errors | stalled | non-2xx | spread | CPU us/req | master us/req |\n"
  printf "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
  summary = "bench:"
  for (a = 1; a <= ns; a++) {
    s = S[a]
    for (v = 0; v < nv; v++) {
      k = s SUBSEP v; m = n[k]
      if (!m) continue
      for (i = 1; i <= m; i++) { x[i] = RPS[k, i]; y[i] = P50[k, i]; z[i] = P99[k, i]; cu[i] = CPU[k, i]; mc[i] = MCPU[k, i] }
      med = median(x, m); lo = x[1]; hi = x[1]
      for (i = 2; i <= m; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i] }
      spread = med > 0 ? 100 * (hi - lo) / med : 0
      # ratio: median over repeats of the paired ratio to the first target
      q = 0
      for (r = 1; r <= reps[s]; r++) if (((s, 0, r) in BYREP) && ((s, v, r) in BYREP) && BYREP[s, 0, r] > 0) w[++q] = BYREP[s, v, r] / BYREP[s, 0, r]
      ratio = q ? median(w, q) : 0
      iqr = "-"
      if (v > 0 && q >= 4) {
        for (i = 1; i <= q; i++) u[i] = w[i]
        for (i = 2; i <= q; i++) { t = u[i]; for (j = i - 1; j >= 1 && u[j] > t; j--) u[j + 1] = u[j]; u[j + 1] = t }
        iqr = sprintf("%.2f..%.2f", u[int((q + 3) / 4)], u[q + 1 - int((q + 3) / 4)])
      }
      p99m = median(z, m)
      if (v == 0) p99first = p99m
      printf "| %s | %d | %s | %.0f | %.2f | %s | %.1f | %.1f | %d | %d | %d | %.0f%% | %.0f | %.1f |\n", s, conc[k], L[v + 1], med, ratio, iqr, median(y, m), p99m, ERR[k], TMO[k], NON2XX[k], spread, median(cu, m), median(mc, m)
      if (v > 0) {
        summary = summary sprintf(" %s %s/%s=%.2f", s, L[v + 1], L[1], ratio)
        if (s == "overload" && p99first > 0) summary = summary sprintf(" p99:%s/%s=%.2f", L[v + 1], L[1], p99m / p99first)
      }
      toterr += ERR[k] + NON2XX[k]; totstall += TMO[k]
    }
  }
  print summary sprintf(" errors=%d stalled=%d", toterr, totstall) > "/dev/stderr"
}' "$RESULTS" >"$TABLE" 2>"$TMP/summary.txt"

echo
echo "req/s, p50, p99: median of $REPEATS runs of ${DURATION}s; ratio: median of the per-repeat req/s"
echo "ratios to ${V_LABEL[0]} (runs interleaved, order reversed every other repeat); ratio IQR:"
echo "their middle half (4+ repeats). errors"
echo "(wrk socket errors, answers slower than ${WRK_TIMEOUT}s), stalled, non-2xx: totals over all"
echo "runs. stalled: requests nginx saw take 1 s or more, answered or abandoned when wrk"
echo "stopped; a starved client shows only here (wrk 4.1 never counts an unanswered request)."
echo "spread: (max-min)/median req/s. conc: wrk connections. CPU us/req: CPU time of the"
echo "target's processes (manager and workers) per answered request, median over runs;"
echo "master: the manager process alone (10 ms ticks, so coarse for a frugal master)."
echo
cat "$TABLE"

# ---- memory and CPU of each manager, from /proc ----------------------------------
proc_line() { # PID -> "rss_kB pss_kB cpu_ticks"
  local rss pss cpu
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  pss=$(awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0)
  cpu=$(sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)
  echo "${rss:-0} ${pss:-0} ${cpu:-0}"
}
HZ=$(getconf CLK_TCK)
echo
echo "Memory and CPU after the run (kB from /proc; PSS splits shared pages fairly; CPU includes warm-up):"
echo
echo "| target | master RSS kB | master PSS kB | workers | workers RSS kB | workers PSS kB | master CPU s | workers CPU s | requests | master CPU us/req |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for i in "${!T_LABEL[@]}"; do
  served=0
  for v in "${!V_T[@]}"; do [ "${V_T[$v]}" = "$i" ] && served=$((served + ${SERVED[$v]})); done
  if [ "${T_MASTER[$i]}" = 1 ]; then
    read -r mrss mpss mcpu < <(proc_line "${T_PID[$i]}")
    kids=$(descendants "${T_PID[$i]}")
  else
    mrss=0; mpss=0; mcpu=0
    kids="${T_ALLPIDS[$i]} $(descendants ${T_ALLPIDS[$i]})"
  fi
  nk=0; krss=0; kpss=0; kcpu=0
  for p in $kids; do
    read -r a b c < <(proc_line "$p"); nk=$((nk + 1)); krss=$((krss + a)); kpss=$((kpss + b)); kcpu=$((kcpu + c))
  done
  awk -v t="${T_LABEL[$i]}" -v m="${T_MASTER[$i]}" -v mr="$mrss" -v mp="$mpss" -v mc="$mcpu" -v nk="$nk" \
      -v kr="$krss" -v kp="$kpss" -v kc="$kcpu" -v hz="$HZ" -v req="$served" 'BEGIN {
    if (m == 1) printf "| %s | %d | %d | %d | %d | %d | %.2f | %.1f | %d | %.2f |\n", t, mr, mp, nk, kr, kp, mc / hz, kc / hz, req, req ? 1e6 * mc / hz / req : 0
    else printf "| %s | - | - | %d | %d | %d | - | %.1f | %d | - |\n", t, nk, kr, kp, kc / hz, req }'
done

# CPU that processes outside this benchmark used meanwhile: the noise on a shared box
awk -v t0="$CPU0_TOTAL" -v b0="$CPU0_BUSY" -v s0="$CPU0_STEAL" -v m0="$MINE0" \
    -v t1="$CPU1_TOTAL" -v b1="$CPU1_BUSY" -v s1="$CPU1_STEAL" -v m1="$MINE1" \
    -v l0="$LOAD0" -v l1="$LOAD1" -v ncpu="$(nproc)" 'BEGIN {
  t = t1 - t0; if (t <= 0) t = 1
  other = (b1 - b0) - (m1 - m0); if (other < 0) other = 0
  printf "\nload before: %s, after: %s; during the runs: other processes %.1f%% of %d CPUs, steal %.1f%%\n", l0, l1, 100 * other / t, ncpu, 100 * (s1 - s0) / t }'
cat "$TMP/summary.txt"

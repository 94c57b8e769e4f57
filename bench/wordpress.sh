#!/usr/bin/env bash
# bench/wordpress.sh: Debian's WordPress front page behind one private nginx, served
# in turn by php-fpm8.2 and by jfpm (shared opcache, then one php-cgi per worker),
# and the memory of each pool's workers after the same load.
#
#   bench/wordpress.sh [-n CHILDREN] [-d SECONDS] [--pm static|dynamic|ondemand]
#
# Needs: apt-get install -y wordpress mariadb-server nginx php8.2-fpm php8.2-cgi wrk curl
# Everything it starts (a private MariaDB on a unix socket, nginx on 127.0.0.1, the
# managers) lives in a temp dir and is stopped by pid on exit; the one file it writes
# outside is /etc/wordpress/config-jfpm-bench-wp.localhost.php (Debian's wp-config.php
# reads its settings from there by host name), removed on exit too.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CHILDREN=8
DURATION=10
PM=static
while [ $# -gt 0 ]; do
  case $1 in
    -n) CHILDREN=$2; shift 2 ;;
    -d) DURATION=$2; shift 2 ;;
    --pm) PM=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "wordpress.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
for tool in mariadbd mariadb-install-db nginx wrk curl php-fpm8.2; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "wordpress.sh: $tool missing (see the header for the packages)" >&2; exit 2; }
done
[ -f /usr/share/wordpress/wp-config.php ] || { echo "wordpress.sh: Debian's wordpress package missing" >&2; exit 2; }

HOST=jfpm-bench-wp.localhost
SITE_CONF=/etc/wordpress/config-$HOST.php
T=$(mktemp -d /tmp/jfpm-bench-wp.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -f "$SITE_CONF"
  rm -rf "$T"
}
trap cleanup EXIT

free_port() {
  local p=18600
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# ---- a private MariaDB on a unix socket, no TCP ----------------------------------
mkdir -p "$T/db" "$T/run"
chown mysql:mysql "$T/db" "$T/run"
mariadb-install-db --user=mysql --datadir="$T/db" --auth-root-authentication-method=socket >"$T/db-install.log" 2>&1
/usr/sbin/mariadbd --user=mysql --datadir="$T/db" --socket="$T/run/db.sock" --skip-networking \
  --innodb-use-native-aio=0 --pid-file="$T/run/db.pid" --log-error="$T/run/db.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$T/run/db.sock" ] && break; sleep 0.1; done
mariadb --socket="$T/run/db.sock" -e "CREATE DATABASE wp; CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp';
  GRANT ALL ON wp.* TO 'wp'@'localhost';"

PORT=$(free_port)
cat >"$SITE_CONF" <<EOF
<?php
define('DB_NAME', 'wp');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp');
define('DB_HOST', 'localhost:$T/run/db.sock');
define('WP_HOME', 'http://$HOST');
define('WP_SITEURL', 'http://$HOST');
define('WP_CONTENT_DIR', '/usr/share/wordpress/wp-content');
EOF
chmod 644 "$SITE_CONF"

# ---- one nginx for every target, the target's socket swapped by a reload ----------
cat >"$T/nginx.conf" <<EOF
worker_processes 1;
user www-data;
pid $T/nginx.pid;
error_log $T/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$PORT;
    root /usr/share/wordpress;
    index index.php;
    location / { try_files \$uri \$uri/ /index.php?\$args; }
    location ~ \.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass unix:$T/php.sock;
    }
  }
}
EOF
nginx -c "$T/nginx.conf"
for _ in $(seq 50); do [ -s "$T/nginx.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$T/nginx.pid")")

pool_conf() { # FILE
  {
    echo "[global]"
    echo "pid = $T/fpm.pid"
    echo "error_log = $T/fpm.log"
    echo "daemonize = no"
    echo "[wp]"
    echo "listen = $T/php.sock"
    echo "listen.owner = www-data"
    echo "user = www-data"
    echo "group = www-data"
    echo "pm = $PM"
    echo "pm.max_children = $CHILDREN"
    echo "pm.start_servers = 2"
    echo "pm.min_spare_servers = 1"
    echo "pm.max_spare_servers = $CHILDREN"
    echo "pm.process_idle_timeout = 60s"
  } >"$1"
}

descendants() { local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done; }
pss_kb() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }

URL="http://127.0.0.1:$PORT/"
run_target() { # LABEL EXTRA_POOL_LINE COMMAND...
  local label=$1 extra=$2; shift 2
  pool_conf "$T/pool.conf"
  [ -n "$extra" ] && echo "$extra" >>"$T/pool.conf"
  rm -f "$T/php.sock"
  "$@" -y "$T/pool.conf" >"$T/$label.out" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 300); do [ -S "$T/php.sock" ] && break; sleep 0.1; done
  if [ ! -f "$T/installed" ]; then
    curl -fsS -o /dev/null -H "Host: $HOST" -X POST "${URL}wp-admin/install.php?step=2" \
      --data "weblog_title=Bench&user_name=admin&admin_password=bench-pass-1&admin_password2=bench-pass-1&pw_weak=1&admin_email=admin@example.com&blog_public=0" ||
      { tail -n 5 "$T/nginx-error.log" "$T/fpm.log" "$T/$label.out" >&2; exit 1; }
    touch "$T/installed"
  fi
  local code
  code=$(curl -s -o "$T/front.html" -w "%{http_code} %{redirect_url}" -H "Host: $HOST" "$URL")
  grep -q "Hello world" "$T/front.html" || { echo "wordpress.sh: $label answered $code without the front page" >&2; exit 1; }
  wrk -t1 -c $((2 * CHILDREN)) -d 2s -H "Host: $HOST" "$URL" >/dev/null
  local out rps kids n=0 pss=0 p
  out=$(wrk -t1 -c $((2 * CHILDREN)) -d "${DURATION}s" -H "Host: $HOST" "$URL")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  kids=$(descendants "$pid")
  for p in $kids; do n=$((n + 1)); pss=$((pss + $(pss_kb "$p"))); done
  printf '| %s | %s | %s | %d | %.1f | %.1f |\n' "$label" "$PM" "$rps" "$n" "$((pss)).0" "$(pss_kb "$pid").0" |
    awk -F'|' '{ printf "|%s|%s|%s|%s| %.1f | %.1f |\n", $2, $3, $4, $5, $6 / 1024, $7 / 1024 }'
  kill "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

echo "WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" /usr/share/wordpress/wp-includes/version.php) front page, $CHILDREN children, ${DURATION}s of wrk -c $((2 * CHILDREN)) after a 2 s warm-up"
echo
echo "| target | pm | req/s | worker processes | workers PSS MB | manager PSS MB |"
echo "|---|---|---:|---:|---:|---:|"
run_target php-fpm "" /usr/sbin/php-fpm8.2 -F
run_target jfpm "" "$ROOT/bin/jfpm" -F
run_target jfpm-separate "jfpm.shared_opcache = no" "$ROOT/bin/jfpm" -F

#!/usr/bin/env bash
# Builds target/jfpm_<version>_all.deb from what `mvn package` left in target/
# (jfpm.jar and lib/), with dpkg-deb alone: no debhelper, no build dependencies.
#
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -DskipTests package && packaging/build-deb.sh
#
# Prints the path of the .deb on stdout. What the package holds:
#   /usr/sbin/jfpm                     bin/jfpm, unchanged (it finds /usr/share/jfpm and a Java 25)
#   /usr/share/jfpm/jfpm.jar, lib/     the master and its runtime libraries
#   /lib/systemd/system/jfpm.service   php8.2-fpm.service with jfpm's binary
#   /usr/lib/tmpfiles.d/jfpm.conf      /run/php, as php8.2-fpm's
#   /etc/logrotate.d/jfpm              php8.2-fpm's rule (conffile)
#   /usr/lib/jfpm/jfpm-reopenlogs      its postrotate: USR1 to the pid-file pid
#   /usr/lib/jfpm/jfpm-aot             bin/jfpm-aot: postinst trains the JVM's AOT cache with it
#                                      into /var/cache/jfpm, again when a JDK in /usr/lib/jvm changes
#   /usr/share/doc/jfpm/               README.md, migrating.md, examples
# Nothing under /etc/php: jfpm runs on php8.2-fpm's config as it is.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
target=$root/target

die() { echo "build-deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (it is in the dpkg package)"
[ -f "$target/jfpm.jar" ] || die "$target/jfpm.jar not found: run 'mvn -DskipTests package' first"
[ -d "$target/lib" ] || die "$target/lib not found: run 'mvn -DskipTests package' first"
props=$target/maven-archiver/pom.properties
[ -f "$props" ] || die "$props not found: run 'mvn -DskipTests package' first"

# Maven's 0.1.0-SNAPSHOT becomes Debian's 0.1.0~SNAPSHOT (sorts before 0.1.0)
mvn_version=$(sed -n 's/^version=//p' "$props")
[ -n "$mvn_version" ] || die "no version in $props"
version=${mvn_version//-/\~}
deb=$target/jfpm_${version}_all.deb

umask 022
stage=$(mktemp -d "$target/deb-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

install -d "$stage/DEBIAN" "$stage/usr/sbin" "$stage/usr/share/jfpm/lib" "$stage/lib/systemd/system" \
    "$stage/usr/lib/tmpfiles.d" "$stage/etc/logrotate.d" "$stage/usr/lib/jfpm" "$stage/usr/share/doc/jfpm"
install -m 0755 "$root/bin/jfpm" "$stage/usr/sbin/jfpm"
install -m 0644 "$target/jfpm.jar" "$stage/usr/share/jfpm/jfpm.jar"
install -m 0644 "$target"/lib/*.jar "$stage/usr/share/jfpm/lib/"
install -m 0644 "$here/jfpm.service" "$stage/lib/systemd/system/jfpm.service"
install -m 0644 "$here/jfpm.tmpfiles" "$stage/usr/lib/tmpfiles.d/jfpm.conf"
install -m 0644 "$here/jfpm.logrotate" "$stage/etc/logrotate.d/jfpm"
install -m 0755 "$here/jfpm-reopenlogs" "$stage/usr/lib/jfpm/jfpm-reopenlogs"
install -m 0755 "$root/bin/jfpm-aot" "$stage/usr/lib/jfpm/jfpm-aot"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/jfpm/README.md"
[ -f "$root/docs/migrating.md" ] && install -m 0644 "$root/docs/migrating.md" "$stage/usr/share/doc/jfpm/migrating.md"
cp -r "$root/examples" "$stage/usr/share/doc/jfpm/examples"
chmod -R u=rwX,go=rX "$stage/usr/share/doc/jfpm/examples"
find "$stage/usr/share/doc/jfpm/examples" -name '*.sh' -exec chmod 0755 {} +

for script in postinst prerm postrm; do
    install -m 0755 "$here/debian/$script" "$stage/DEBIAN/$script"
done
echo /etc/logrotate.d/jfpm > "$stage/DEBIAN/conffiles"
echo "interest-noawait /usr/lib/jvm" > "$stage/DEBIAN/triggers" # a JDK changed: retrain the AOT cache
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
    > "$stage/DEBIAN/md5sums"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)

cat > "$stage/DEBIAN/control" <<EOF
Package: jfpm
Version: $version
Architecture: all
Maintainer: jfpm developers <jfpm@localhost>
Section: httpd
Priority: optional
Installed-Size: $installed_size
Depends: php8.2-cgi | php-cgi, coreutils (>= 8.31), util-linux
Recommends: temurin-25-jre | temurin-25-jdk
Suggests: php8.2-fpm
Description: drop-in replacement for PHP-FPM, written in Java
 jfpm reads php-fpm's configuration (php-fpm.conf and pool.d), takes php-fpm's
 command line and signals, and serves FastCGI on the same sockets with stock
 php-cgi workers behind a Java master. Its systemd unit runs it on
 php8.2-fpm's configuration in place of php8.2-fpm; both packages may be
 installed, only one service runs. jfpm needs a Java 25 runtime (Temurin 25
 from Adoptium, or any JDK 25 or later); /usr/sbin/jfpm says what to install
 when none is found.
EOF

dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
echo "$deb"

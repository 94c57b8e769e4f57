#!/bin/sh
# One request to jfpm (or php-fpm) without a web server, with libfcgi-bin's cgi-fcgi:
#
#   SCRIPT_FILENAME=/var/www/html/index.php REQUEST_METHOD=GET cgi-fcgi -bind -connect /run/php/php8.2-fpm.sock
#
# This script is that one-liner with arguments:  cgi-fcgi.sh SCRIPT [QUERY] [SOCKET]
# The reply is the CGI response: headers (Status: when not 200), a blank line, the body.
# A body on stdin is sent as POST when REQUEST_METHOD=POST and CONTENT_LENGTH are set.
# The status page (pm.status_path = /status):  cgi-fcgi.sh /status full
# Tested by CgiFcgiIT.
script=${1:?usage: cgi-fcgi.sh SCRIPT [QUERY] [SOCKET]}
SCRIPT_FILENAME=$script SCRIPT_NAME=${SCRIPT_NAME:-$script} QUERY_STRING=${2:-} \
REQUEST_METHOD=${REQUEST_METHOD:-GET} exec cgi-fcgi -bind -connect "${3:-/run/php/php8.2-fpm.sock}"

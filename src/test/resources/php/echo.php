<?php
// Echoes the request as "key=value" lines: method, raw query string, each $_GET entry.
header('Content-Type: text/plain');
echo "method=", $_SERVER['REQUEST_METHOD'], "\n";
echo "query=", $_SERVER['QUERY_STRING'], "\n";
foreach ($_GET as $k => $v) {
    echo "get.", $k, "=", is_array($v) ? implode(',', $v) : $v, "\n";
}
echo "script=", $_SERVER['SCRIPT_NAME'], "\n";
echo "pid=", getmypid(), "\n";

<?php
// PHP's log messages of one request: a warning, error_log() calls (one ending in a
// newline), a multi-line notice, a long message, then an uncaught exception.
echo "out\n";
trigger_error("first", E_USER_WARNING);
error_log("plain error_log call");
trigger_error("multi\nline", E_USER_NOTICE);
error_log("tail\n");
error_log(str_repeat("x", (int)($_GET['long'] ?? 0)));
throw new Exception("boom");

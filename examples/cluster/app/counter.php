<?php
// The session counter: each request of a client adds one to its session's counter,
// whichever host serves it, because the session lives in Redis, not on the host.
// Answers {"counter": N, "host": "127.0.0.3", "session": "..."}.
session_start();
$_SESSION['counter'] = ($_SESSION['counter'] ?? 0) + 1;
header('Content-Type: application/json');
header('Cache-Control: no-store');
echo json_encode([
    'counter' => $_SESSION['counter'],
    'host' => getenv('JFPM_HOST') ?: '?',
    'session' => session_id(),
]), "\n";

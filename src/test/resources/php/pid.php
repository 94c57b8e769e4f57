<?php
// The worker's pid, after ?ms= milliseconds (default 0) so that concurrent requests overlap.
$ms = (int)($_GET['ms'] ?? 0);
if ($ms > 0) {
    usleep($ms * 1000);
}
header('Content-Type: text/plain');
echo getmypid(), "\n";

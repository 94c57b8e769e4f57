<?php
// Fills ?mb= megabytes with small strings (PHP's allocator keeps part of such chunks
// cached after the request, so the worker's resident memory stays up), then answers its pid.
$n = (int)($_GET['mb'] ?? 1) * 1000;
$keep = [];
for ($i = 0; $i < $n; $i++) {
    $keep[] = str_repeat('x', 1000) . $i;
}
header('Content-Type: text/plain');
echo getmypid(), "\n";

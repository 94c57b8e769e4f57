<?php
// A request that takes a while (?ms=1500, at most 10 s): one in flight when a host gets
// SIGQUIT is finished by that host before it exits.
usleep(min(max((int) ($_GET['ms'] ?? 1000), 0), 10000) * 1000);
header('Content-Type: application/json');
echo json_encode(['host' => getenv('JFPM_HOST') ?: '?', 'slept_ms' => (int) ($_GET['ms'] ?? 1000)]), "\n";

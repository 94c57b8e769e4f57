<?php
// What fpm_get_status() returns, as JSON: the pool's keys, the first process's keys, and a few values.
header('Content-Type: application/json');
$s = fpm_get_status();
if ($s === false) {
    echo 'false';
    return;
}
echo json_encode([
    'keys' => array_keys($s),
    'proc_keys' => array_keys($s['procs'][0] ?? []),
    'pool' => $s['pool'],
    'pm' => $s['process-manager'],
    'accepted' => $s['accepted-conn'],
    'total' => $s['total-processes'],
    'running' => array_values(array_filter($s['procs'], fn($p) => $p['state'] === 'Running')),
]);

<?php
// N MiB (?mib=N) of 1 KiB lines, each starting with its own index so that a lost, repeated or
// reordered piece changes the md5. ?flush=1 flushes every 64 KiB; ?delay_ms=D sleeps after each flush.
header('Content-Type: application/octet-stream');
$mib = (int)($_GET['mib'] ?? 1);
$flush = !empty($_GET['flush']);
$delay = (int)($_GET['delay_ms'] ?? 0);
$pad = str_repeat('.', 1024 - 9);
for ($i = 0; $i < $mib * 1024; $i++) {
    echo sprintf("%08d", $i), $pad, "\n";
    if ($flush && $i % 64 == 63) {
        flush();
        if ($delay > 0) {
            usleep($delay * 1000);
        }
    }
}

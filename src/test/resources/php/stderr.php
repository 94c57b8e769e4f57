<?php
// Writes ?n= characters of 'x' and a newline to the worker's own stderr (a pipe to the master).
file_put_contents('php://stderr', str_repeat('x', (int)($_GET['n'] ?? 10)) . "\n");
echo "ok";

<?php
function inner($s) { sleep($s); }
function outer($s) { inner($s); }
outer((int)($_GET['s'] ?? 1));
header('Content-Type: text/plain');
echo "done\n";

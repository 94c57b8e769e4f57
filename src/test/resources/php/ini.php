<?php
// Prints "name=value" for each ini name in ?names= (comma-separated), and whether the
// pool's own auto_prepend_file ran (prepend.inc sets the global).
header('Content-Type: text/plain');
foreach (explode(',', $_GET['names'] ?? '') as $name) {
    if ($name !== '') {
        echo $name, "=", var_export(ini_get($name), true), "\n";
    }
}
echo "prepended=", $GLOBALS['jfpm_test_prepended'] ?? 'no', "\n";

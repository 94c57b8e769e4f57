<?php
// For each "name=value" in ?set= (comma-separated): what ini_set() returns, the value
// after it, and the entry's access level from ini_get_all() (4 = PHP_INI_SYSTEM).
header('Content-Type: text/plain');
$all = ini_get_all(null, true);
foreach (explode(',', $_GET['set'] ?? '') as $pair) {
    if ($pair === '') {
        continue;
    }
    [$name, $value] = explode('=', $pair, 2);
    $returned = ini_set($name, $value);
    echo $name, ": ini_set=", var_export($returned, true), " now=", var_export(ini_get($name), true),
        " access=", $all[$name]['access'] ?? '-', "\n";
}
echo "preload=", function_exists('jfpm_test_preloaded') ? jfpm_test_preloaded() : 'none', "\n";
echo "ffi=", class_exists('FFI') ? (function () {
    try {
        FFI::cdef('int getpid(void);')->getpid();
        return 'open';
    } catch (Throwable $t) {
        return 'closed';
    }
})() : 'absent', "\n";

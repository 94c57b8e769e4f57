<?php
// Sets the status (?code=N), a few headers and several cookies.
$code = (int)($_GET['code'] ?? 200);
http_response_code($code);
header('X-Jfpm-Test: yes');
header('X-Multi: one');
header('X-Multi: two', false);
header('Cache-Control: no-store');
setcookie('first', 'one');
setcookie('second', 'two', ['path' => '/sub', 'httponly' => true]);
setcookie('third', 'three three');
if (isset($_GET['location'])) {
    header('Location: ' . $_GET['location']);
}
header('Content-Type: text/plain');
echo "status=", $code, "\n";

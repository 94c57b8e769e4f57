<?php
// The CGI variables PHP derives from a request's path: SCRIPT_NAME, PATH_INFO and the rest.
header('Content-Type: text/plain');
foreach (['SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_INFO', 'PATH_TRANSLATED', 'PHP_SELF', 'ORIG_SCRIPT_NAME',
          'ORIG_PATH_INFO', 'ORIG_PATH_TRANSLATED', 'ORIG_SCRIPT_FILENAME', 'DOCUMENT_ROOT'] as $k) {
    echo $k, '=', array_key_exists($k, $_SERVER) ? var_export($_SERVER[$k], true) : '-', "\n";
}

<?php
// The md5 and length of the raw request body.
header('Content-Type: text/plain');
$body = file_get_contents('php://input');
echo "md5=", md5($body), "\n";
echo "length=", strlen($body), "\n";
echo "content_length=", $_SERVER['CONTENT_LENGTH'] ?? '', "\n";

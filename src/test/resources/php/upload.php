<?php
// A multipart upload: the text field "name" and the file "file" (its name, size, md5, error).
header('Content-Type: text/plain');
echo "method=", $_SERVER['REQUEST_METHOD'], "\n";
echo "name=", $_POST['name'] ?? '', "\n";
$f = $_FILES['file'] ?? null;
if ($f === null) {
    echo "file=none\n";
} else {
    echo "error=", $f['error'], "\n";
    echo "filename=", $f['name'], "\n";
    echo "size=", $f['size'], "\n";
    echo "md5=", $f['error'] === UPLOAD_ERR_OK ? md5_file($f['tmp_name']) : '', "\n";
}

<?php
// Writes its worker pid to the file ?pidfile= (if given), then sleeps ?ms= milliseconds.
if (isset($_GET['pidfile'])) {
    file_put_contents($_GET['pidfile'] . '.tmp', (string)getmypid());
    rename($_GET['pidfile'] . '.tmp', $_GET['pidfile']);
}
usleep(1000 * (int)($_GET['ms'] ?? 1000));
header('Content-Type: text/plain');
echo "slept pid=", getmypid(), "\n";

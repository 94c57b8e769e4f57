<?php
// As WordPress's wp-cron.php: headers (and ?code= as the status), then
// fastcgi_finish_request() before any output, then the work the client does not wait for,
// proved by the file ?file=.
header('X-Finish: first');
setcookie('cron', 'ran');
if (isset($_GET['code'])) {
    http_response_code((int) $_GET['code']);
}
fastcgi_finish_request();
echo "after finish: nobody reads this\n";
file_put_contents($_GET['file'], 'done');

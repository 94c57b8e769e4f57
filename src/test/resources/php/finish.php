<?php
// Answers, calls fastcgi_finish_request() twice, then goes on for ?s= seconds and writes
// the two return values into the file ?file= (the test's proof that the script went on).
header('Content-Type: text/plain');
echo "answered\n";
$first = fastcgi_finish_request();
$second = fastcgi_finish_request();
echo "after finish: nobody reads this\n";
sleep((int) ($_GET['s'] ?? 2));
file_put_contents($_GET['file'], var_export($first, true) . ',' . var_export($second, true));

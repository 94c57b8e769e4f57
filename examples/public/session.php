<?php
// jfpm demo: a session counter. Sessions are files in the demo's runtime dir, so any worker
// of the pool can continue a session another one started.
session_start();
$_SESSION['count'] = ($_SESSION['count'] ?? 0) + 1;
if (isset($_GET['reset'])) {
    $_SESSION['count'] = 0;
}
$count = $_SESSION['count'];
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>jfpm demo: session</title></head>
<body>
<h1>Session counter</h1>
<p id="count">You have seen this page <?= (int)$count ?> time<?= $count === 1 ? '' : 's' ?> in this session.</p>
<p>Served by worker pid <?= getmypid() ?>.</p>
<p><a href="session.php">again</a> · <a href="session.php?reset=1">reset</a> · <a href="index.php">back</a></p>
</body>
</html>

<?php
// jfpm demo: a short summary of the PHP that answered, and links to the other pages.
function h($s) { return htmlspecialchars((string)$s, ENT_QUOTES, 'UTF-8'); }
$rows = [
    'PHP version'        => PHP_VERSION,
    'Server API'         => php_sapi_name(),
    'Worker pid'         => getmypid(),
    'Server software'    => $_SERVER['SERVER_SOFTWARE'] ?? '',
    'Gateway interface'  => $_SERVER['GATEWAY_INTERFACE'] ?? '',
    'Document root'      => $_SERVER['DOCUMENT_ROOT'] ?? '',
    'Loaded php.ini'     => php_ini_loaded_file() ?: '(none)',
    'memory_limit'       => ini_get('memory_limit'),
    'upload_max_filesize'=> ini_get('upload_max_filesize'),
    'session.save_path'  => ini_get('session.save_path'),
    'opcache enabled'    => function_exists('opcache_get_status') && @opcache_get_status(false) ? 'yes' : 'no',
    'Extensions'         => count(get_loaded_extensions()),
    'env JFPM_DEMO'      => getenv('JFPM_DEMO') === false ? '(unset)' : getenv('JFPM_DEMO'),
    'Request time'       => date('Y-m-d H:i:s', (int)$_SERVER['REQUEST_TIME']),
];
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>jfpm demo</title>
<style>body{font-family:sans-serif;max-width:48em;margin:2em auto}td,th{padding:.2em .8em;text-align:left}th{background:#eee}</style>
</head>
<body>
<h1>jfpm demo</h1>
<p>This page was run by a <code>php-cgi</code> worker of jfpm, behind nginx.
Reload it a few times: the worker pid changes as requests go to the pool's workers.</p>
<table>
<?php foreach ($rows as $k => $v): ?>
<tr><th><?= h($k) ?></th><td><?= h($v) ?></td></tr>
<?php endforeach; ?>
</table>
<h2>More</h2>
<ul>
<li><a href="form.php">form.php</a>: a POST form with a file upload</li>
<li><a href="session.php">session.php</a>: a session counter</li>
</ul>
</body>
</html>

<?php
// jfpm demo: a POST form with a text field and a file upload; shows what arrived.
function h($s) { return htmlspecialchars((string)$s, ENT_QUOTES, 'UTF-8'); }
$posted = $_SERVER['REQUEST_METHOD'] === 'POST';
$upload = $_FILES['upload'] ?? null;
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>jfpm demo: form</title></head>
<body>
<h1>Form and upload</h1>
<form method="post" enctype="multipart/form-data">
  <p><label>Your name <input name="name" value="<?= h($_POST['name'] ?? '') ?>"></label></p>
  <p><label>A file <input type="file" name="upload"></label></p>
  <p><button type="submit">Send</button></p>
</form>
<?php if ($posted): ?>
<h2>Received</h2>
<p id="name">name: <?= h($_POST['name'] ?? '') ?></p>
<?php if ($upload && $upload['error'] === UPLOAD_ERR_OK): ?>
<p id="file">file: <?= h($upload['name']) ?>, size <?= (int)$upload['size'] ?> bytes,
md5 <?= h(md5_file($upload['tmp_name'])) ?></p>
<?php elseif ($upload && $upload['error'] !== UPLOAD_ERR_NO_FILE): ?>
<p id="file">upload failed with error code <?= (int)$upload['error'] ?>
(upload_max_filesize is <?= h(ini_get('upload_max_filesize')) ?>)</p>
<?php else: ?>
<p id="file">no file</p>
<?php endif; ?>
<?php endif; ?>
<p><a href="index.php">back</a></p>
</body>
</html>

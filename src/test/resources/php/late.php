<?php
// Touches ?started=, sleeps ?ms= milliseconds, then touches ?done=: whether a script
// was let finish after its worker was told to stop.
touch($_GET['started']);
usleep(1000 * (int)($_GET['ms'] ?? 700));
touch($_GET['done']);
echo "done\n";

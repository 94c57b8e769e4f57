<?php
// A cheap page for load: which host answered.
header('Content-Type: application/json');
echo json_encode(['host' => getenv('JFPM_HOST') ?: '?']), "\n";

<?php
// jfpm's worker prelude: runs before every script of a jfpm pool, as the pool's
// auto_prepend_file, to give php-cgi what php-fpm's SAPI has. It defines no global
// names besides the functions below, and leaves nothing in $GLOBALS.
//
// - PHP_VALUE / PHP_ADMIN_VALUE sent by the web server apply to this request only
//   (php-fpm applies them to the worker's base settings, so they leak into later
//   requests; here they cannot). Settings PHP reads before a script starts
//   (post_max_size, upload_max_filesize, ...) cannot be changed this late: each
//   such refusal is reported the way php-fpm reports a value it cannot set.
// - fastcgi_finish_request() ends the response to the client at once; the script
//   goes on. The master learns where the response ends from a marker it alone
//   knows the meaning of, sent in order with the output on the FastCGI stderr stream.
// - The pool's own auto_prepend_file still runs, after this file.

if (!function_exists('fastcgi_finish_request')) {
    function fastcgi_finish_request(): bool
    {
        static $finished = false;
        if ($finished || PHP_SAPI !== 'cgi-fcgi') {
            return false;
        }
        $finished = true;
        while (ob_get_level() > 0 && @ob_end_flush()) {
        }
        flush();
        error_log((string) get_cfg_var('jfpm.finish_marker'), 4);
        flush();
        return true;
    }
}

if (!function_exists('fpm_get_status')) {
    // php-fpm's array (pool fields and procs), read from the master: php-cgi workers
    // share no scoreboard with it. False when the master cannot be asked, as php-fpm
    // returns false when its scoreboard is busy.
    function fpm_get_status(): array|false
    {
        $path = (string) get_cfg_var('jfpm.status_socket');
        $socket = $path === '' ? false : @stream_socket_client('unix://' . $path, $errno, $errstr, 2.0);
        if ($socket === false) {
            return false;
        }
        $json = stream_get_contents($socket);
        fclose($socket);
        $status = is_string($json) ? json_decode($json, true) : null;
        return is_array($status) ? $status : false;
    }
}

(static function (): void {
    foreach (['PHP_VALUE', 'PHP_ADMIN_VALUE'] as $param) {
        $text = $_SERVER[$param] ?? null;
        if (!is_string($text) || $text === '') {
            continue;
        }
        $values = @parse_ini_string($text, false, INI_SCANNER_NORMAL);
        if (!is_array($values)) {
            error_log("Passing INI directive through FastCGI: only classic entries are allowed", 4);
            continue;
        }
        foreach ($values as $key => $value) {
            if (is_array($value)) {
                error_log("Passing INI directive through FastCGI: only classic entries are allowed", 4);
                continue;
            }
            if (@ini_set((string) $key, (string) $value) === false && ini_get((string) $key) !== (string) $value) {
                error_log("Passing INI directive through FastCGI: unable to set '$key'", 4);
            }
        }
    }
})();

if (($jfpm_user_prepend = get_cfg_var('jfpm.user_prepend')) !== false && $jfpm_user_prepend !== '') {
    unset($jfpm_user_prepend);
    require get_cfg_var('jfpm.user_prepend');
} else {
    unset($jfpm_user_prepend);
}

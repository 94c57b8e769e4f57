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
//   A script that sent no output yet still has its status and headers sent, as
//   php-fpm does: they follow the marker, written as php-cgi would write them.
// - The pool's own auto_prepend_file still runs, after this file.
// - A pool's shared workers (children of one php-cgi parent) are asked their pid once,
//   on the master's new connection, by a request that carries the marker: answered
//   here, before anything else runs.

if (isset($_SERVER['JFPM_PID_PROBE']) && $_SERVER['JFPM_PID_PROBE'] === get_cfg_var('jfpm.finish_marker')) {
    echo getmypid();
    exit;
}

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
        $head = headers_sent() ? '' : jfpm_cgi_head();
        error_log((string) get_cfg_var('jfpm.finish_marker') . $head, 4);
        flush();
        return true;
    }

    // The CGI head php-cgi would send now (sapi/cgi/cgi_main.c, sapi_cgi_send_headers):
    // a Status line unless the code is 200 (with PHP 8.2's reason phrase, main/http_status_codes.h;
    // none for a code it does not list), the headers set so far, the default
    // Content-type when none was set (main/SAPI.c, sapi_get_default_content_type).
    function jfpm_cgi_head(): string
    {
        static $reasons = [
            100 => 'Continue', 101 => 'Switching Protocols', 200 => 'OK', 201 => 'Created',
            202 => 'Accepted', 203 => 'Non-Authoritative Information', 204 => 'No Content',
            205 => 'Reset Content', 206 => 'Partial Content', 300 => 'Multiple Choices',
            301 => 'Moved Permanently', 302 => 'Found', 303 => 'See Other', 304 => 'Not Modified',
            305 => 'Use Proxy', 307 => 'Temporary Redirect', 308 => 'Permanent Redirect',
            400 => 'Bad Request', 401 => 'Unauthorized', 402 => 'Payment Required', 403 => 'Forbidden',
            404 => 'Not Found', 405 => 'Method Not Allowed', 406 => 'Not Acceptable',
            407 => 'Proxy Authentication Required', 408 => 'Request Timeout', 409 => 'Conflict',
            410 => 'Gone', 411 => 'Length Required', 412 => 'Precondition Failed',
            413 => 'Request Entity Too Large', 414 => 'Request-URI Too Long',
            415 => 'Unsupported Media Type', 416 => 'Requested Range Not Satisfiable',
            417 => 'Expectation Failed', 426 => 'Upgrade Required', 428 => 'Precondition Required', 429 => 'Too Many Requests',
            431 => 'Request Header Fields Too Large', 451 => 'Unavailable For Legal Reasons',
            500 => 'Internal Server Error', 501 => 'Not Implemented', 502 => 'Bad Gateway',
            503 => 'Service Unavailable', 504 => 'Gateway Timeout', 505 => 'HTTP Version Not Supported',
            506 => 'Variant Also Negotiates', 511 => 'Network Authentication Required',
        ];
        $head = '';
        $code = http_response_code();
        if (is_int($code) && $code !== 200) {
            $head .= 'Status: ' . $code . (isset($reasons[$code]) ? ' ' . $reasons[$code] : '') . "\r\n";
        }
        $typed = false;
        foreach (headers_list() as $header) {
            $head .= $header . "\r\n";
            $typed = $typed || stripos($header, 'content-type:') === 0;
        }
        $type = (string) ini_get('default_mimetype');
        if (!$typed && $type !== '') {
            $charset = (string) ini_get('default_charset');
            $withCharset = $charset !== '' && strncasecmp($type, 'text/', 5) === 0;
            $head .= 'Content-type: ' . $type . ($withCharset ? '; charset=' . $charset : '') . "\r\n";
        }
        return $head . "\r\n";
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

<?php
// jfpm's lock on the pool's php_admin_value / php_admin_flag entries.
//
// php-fpm applies an admin value in its master and then lowers the entry's
// "modifiable" level to PHP_INI_SYSTEM (sapi/fpm/fpm/fpm_php.c,
// fpm_php_zend_ini_alter_master), so ini_set() fails on it in every request and
// ini_get_all() shows access 4. php-cgi has no such step: jfpm passes the values
// with -d and runs this file once per php-cgi process, at start-up, as
// opcache.preload, before any request, to make the same change. It reaches the
// ini registry (EG(ini_directives), Zend/zend_globals.h) through FFI, which php.ini's
// default ffi.enable = preload allows here and refuses to every request's scripts.
//
// The layout below is PHP 8.2's (API 20220829) for 64-bit Linux without ZTS, which
// does not change within 8.2; any other build is left alone, and jfpm's start-up
// probe (which runs this same code) tells the master the lock does not hold.
//
// jfpm.admin_names: the entries to lock, comma-separated.
// jfpm.user_preload: the pool's own opcache.preload, run afterwards.

(static function (): void {
    $names = get_cfg_var('jfpm.admin_names');
    if (!is_string($names) || $names === '') {
        return;
    }
    if (PHP_VERSION_ID < 80200 || PHP_VERSION_ID >= 80300 || PHP_ZTS || PHP_INT_SIZE !== 8
            || PHP_OS_FAMILY !== 'Linux' || php_uname('m') !== 'x86_64' || !class_exists('FFI', false)) {
        return;
    }
    try {
        $ffi = FFI::cdef('
            typedef struct { uint32_t refcount; uint32_t type_info; uint64_t h; size_t len; char val[1]; } jfpm_zend_string;
            typedef struct {
                jfpm_zend_string *name; void *on_modify; void *mh_arg1; void *mh_arg2; void *mh_arg3;
                jfpm_zend_string *value; jfpm_zend_string *orig_value; void *displayer; int module_number;
                uint8_t modifiable; uint8_t orig_modifiable; uint8_t modified;
            } jfpm_zend_ini_entry;
            typedef struct { jfpm_zend_ini_entry *ptr; uint32_t u1; uint32_t u2; } jfpm_zval;
            jfpm_zval *zend_hash_str_find(void *ht, const char *key, size_t len);
            char executor_globals[1800];
        ');
        // offsetof(zend_executor_globals, ini_directives) in PHP 8.2, 64-bit, no ZTS
        $directives = FFI::cast('void **', FFI::addr($ffi->executor_globals[816]))[0];
        foreach (explode(',', $names) as $name) {
            $found = $ffi->zend_hash_str_find($directives, $name, strlen($name));
            if ($found === null) {
                continue; // not an ini entry of this php-cgi: ini_set() fails on it anyway
            }
            $entry = $found[0]->ptr;
            $entryName = $entry->name[0];
            if (FFI::string(FFI::cast('char *', FFI::addr($entryName->val)), $entryName->len) !== $name) {
                return; // not the layout this file knows: lock nothing
            }
            $entry->modifiable = 4; // ZEND_INI_SYSTEM
        }
    } catch (Throwable $e) {
        return;
    }
})();

if (is_string($jfpm_user_preload = get_cfg_var('jfpm.user_preload')) && $jfpm_user_preload !== '') {
    unset($jfpm_user_preload);
    require get_cfg_var('jfpm.user_preload');
}

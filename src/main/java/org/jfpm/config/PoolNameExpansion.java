package org.jfpm.config;

/** php-fpm replaces every {@code $pool} in string values with the pool's name (fpm_conf_expand_pool_name). */
final class PoolNameExpansion {
    private PoolNameExpansion() {
    }

    static String expand(String value, String poolName) throws InvalidValueException {
        if (!value.contains("$pool")) {
            return value;
        }
        if (poolName == null) {
            throw new InvalidValueException("Can't use '$pool' when the pool is not defined");
        }
        return value.replace("$pool", poolName);
    }
}

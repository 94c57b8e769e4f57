package org.jfpm.config;

/** Where a directive may be written: the {@code [global]} section or a pool section. */
enum Scope {
    GLOBAL, POOL
}

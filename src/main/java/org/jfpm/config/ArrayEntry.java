package org.jfpm.config;

/** One {@code name[key] = value} line of an array directive, after {@code $pool} expansion. */
record ArrayEntry(String key, String value) {
}

package org.jfpm.config;

/** A pool as the reader fills it: the name as first written, and the values of all its sections. */
record PoolSection(String name, SectionValues values) {
}

package org.jfpm.pool;

/** Why a worker was replaced between two requests; {@link #label()} is the metrics' {@code reason}. */
public enum Recycle {
    MAX_REQUESTS("max_requests"),
    MAX_MEMORY("max_memory"),
    MAX_LIFETIME("max_lifetime");

    private final String label;

    Recycle(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

package org.jfpm.pool;

/**
 * php-fpm's request stages (fpm_request.c), with the names the status page
 * prints. In jfpm a worker is Idle in its pool, Running from the moment the
 * master hands it a request until the worker's END_REQUEST, and Finishing
 * while a script goes on after fastcgi_finish_request().
 */
public enum WorkerState {
    IDLE("Idle"),
    READING_HEADERS("Reading headers"),
    GETTING_INFO("Getting request information"),
    RUNNING("Running"),
    FINISHING("Finishing"),
    ENDING("Ending");

    private final String label;

    WorkerState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

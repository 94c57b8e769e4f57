package org.jfpm.pool;

/**
 * php-fpm's request stages (fpm_request.c), with the names the status page
 * prints. In jfpm a worker is Idle in its pool, Running from the moment the
 * master hands it a request until the worker's END_REQUEST, and Finishing
 * while a script goes on after fastcgi_finish_request(). php-fpm's Reading
 * headers, Getting request information and Ending do not occur: the master
 * hands a worker a complete request head and sees its end in one record.
 */
public enum WorkerState {
    IDLE("Idle"),
    RUNNING("Running"),
    FINISHING("Finishing");

    private final String label;

    WorkerState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

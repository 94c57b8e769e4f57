package org.jfpm.pool;

import org.jfpm.worker.WorkerProcess;

/**
 * How a pool starts one worker process (php-fpm's fpm_children_make forks, then the
 * child listens): in two steps, because a process forked and not yet listening already
 * counts, as php-fpm counts a child from its fork (the status page shows it Idle).
 * {@link PhpCgiStarter} starts php-cgi; tests start nothing.
 */
interface WorkerStarter {
    /**
     * Forks a worker that is not listening yet; null where starting is one step (a child
     * of a shared php-cgi parent), which {@link #connect} then takes.
     */
    WorkerProcess.Spawned fork() throws WorkerProcess.StartException, InterruptedException;

    /** Waits until {@code forked} listens and connects to it, or, when it is null, starts and connects in one. */
    ChildProcess connect(WorkerProcess.Spawned forked) throws WorkerProcess.StartException, InterruptedException;
}

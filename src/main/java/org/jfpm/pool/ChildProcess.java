package org.jfpm.pool;

import java.nio.channels.SocketChannel;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jfpm.os.Native;

/**
 * A started worker process as its pool drives it: the master's connection to it, its
 * exit, and the signals the master sends it. {@link PhpCgiStarter} makes them from
 * {@link org.jfpm.worker.WorkerProcess}; tests make their own, with no process behind.
 */
interface ChildProcess {
    long pid();

    /** The master's connection to the worker, open from its start until {@link #closeConnection}. */
    SocketChannel channel();

    /** When the process was started, {@link System#nanoTime} and epoch milliseconds. */
    long startNanos();

    long startMillis();

    /** Completes when the process has exited. */
    CompletableFuture<?> onExit();

    /** Waits up to {@code seconds} for the process to exit; true when it has. */
    default boolean awaitExit(long seconds) throws InterruptedException {
        try {
            onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exit value (128 + N for death by signal N) once exited; empty when another process reaped it. */
    OptionalInt exitValue();

    /** Closes the master's connection (and whatever socket file goes with it). */
    void closeConnection();

    /** Sends {@code signal} to the process. */
    void signal(int signal) throws Native.NativeException;
}

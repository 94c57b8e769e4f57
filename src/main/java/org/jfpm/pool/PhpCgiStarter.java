package org.jfpm.pool;

import java.nio.channels.SocketChannel;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jfpm.os.Native;
import org.jfpm.worker.SharedParent;
import org.jfpm.worker.WorkerProcess;
import org.jfpm.worker.WorkerSpec;

/**
 * The production {@link WorkerStarter}: one php-cgi per worker, listening on its own
 * socket in the pool's runtime directory, or, with a shared parent, a child that
 * php-cgi's parent forks (sharing its opcache).
 */
final class PhpCgiStarter implements WorkerStarter {
    private final WorkerSpec spec;
    private final SharedParent parent;
    private final AtomicLong socketSeq = new AtomicLong();

    PhpCgiStarter(WorkerSpec spec, SharedParent parent) {
        this.spec = spec;
        this.parent = parent;
    }

    @Override
    public WorkerProcess.Spawned fork() throws WorkerProcess.StartException, InterruptedException {
        if (parent != null) {
            return null; // php-cgi's parent forks its children: connectChild() both waits and connects
        }
        // numbered, not named after the pool: php-cgi takes a path with ':' for host:port
        return WorkerProcess.spawn(spec, spec.runtimeDir().resolve(socketSeq.incrementAndGet() + ".sock"));
    }

    @Override
    public ChildProcess connect(WorkerProcess.Spawned forked) throws WorkerProcess.StartException, InterruptedException {
        return new PhpCgi(forked == null ? parent.connectChild() : forked.connect());
    }

    /** A php-cgi worker process. */
    private record PhpCgi(WorkerProcess process) implements ChildProcess {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public SocketChannel channel() {
            return process.channel();
        }

        @Override
        public long startNanos() {
            return process.startNanos();
        }

        @Override
        public long startMillis() {
            return process.startMillis();
        }

        @Override
        public CompletableFuture<?> onExit() {
            return process.onExit();
        }


        @Override
        public OptionalInt exitValue() {
            return process.exitValue();
        }

        @Override
        public void closeConnection() {
            process.closeConnection();
        }

        @Override
        public void signal(int signal) throws Native.NativeException {
            Native.kill(process.pid(), signal);
        }
    }
}

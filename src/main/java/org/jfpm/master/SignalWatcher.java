package org.jfpm.master;

import java.util.function.IntConsumer;
import org.jfpm.log.Log;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;

/**
 * Delivers php-fpm's signals (HUP, INT, QUIT, USR1, USR2, TERM) to the master
 * through a signalfd read on one platform thread.
 *
 * <p>The JVM keeps SIGQUIT for thread dumps and refuses it to Java handlers, so
 * {@code bin/jfpm} starts the JVM with these signals blocked
 * ({@code env --block-signal=...}, inherited by every JVM thread) and with
 * {@code -Xrs}; blocked signals stay pending until this thread reads them.
 * Children started by the JVM get a clean signal mask.
 */
final class SignalWatcher {
    private SignalWatcher() {}

    static final int[] HANDLED = {
        Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGTERM,
    };

    /** Starts the reading thread; returns false (and logs why) when no signalfd could be opened. */
    static boolean start(IntConsumer handler) {
        int fd;
        try {
            fd = Native.signalfd(HANDLED);
        } catch (Native.NativeException e) {
            Log.warning("signals cannot be received (" + e.getMessage() + "): start jfpm with bin/jfpm");
            return false;
        }
        Thread.ofPlatform().name("jfpm-signals").daemon(true).start(() -> {
            while (true) {
                try {
                    handler.accept(Native.readSignal(fd));
                } catch (Native.NativeException e) {
                    Log.alert("reading signals failed: " + e.getMessage());
                    return;
                }
            }
        });
        return true;
    }
}

package org.jfpm.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.SequencedMap;

/**
 * Everything that makes one pool's workers what they are, gathered from the
 * pool's configuration and the command line. {@link WorkerCommand} turns it
 * into a command line and an environment; nothing else prepares a worker.
 *
 * @param pool            pool name, for log lines
 * @param phpCgi          the binary
 * @param phpIni          {@code -c}: a php.ini file or directory, or null for the default
 * @param noPhpIni        {@code -n}
 * @param defines         {@code -d} of the jfpm command line, as given ({@code k=v} or {@code k})
 * @param phpValues       php_value and php_flag of the pool
 * @param phpAdminValues  php_admin_value and php_admin_flag of the pool
 * @param environment     env[] of the pool, {@code $VAR} already resolved
 * @param clearEnv        start from an empty environment instead of the master's
 * @param user            switch to this user (name or uid), or null to stay who the master is
 * @param group           switch to this group, or null for the user's primary group
 * @param catchOutput     catch_workers_output
 * @param decorateOutput  decorate_workers_output
 * @param runtimeDir      where the private worker sockets live
 */
public record WorkerSpec(
        String pool,
        PhpCgi phpCgi,
        Path phpIni,
        boolean noPhpIni,
        List<String> defines,
        SequencedMap<String, String> phpValues,
        SequencedMap<String, String> phpAdminValues,
        SequencedMap<String, String> environment,
        boolean clearEnv,
        String user,
        String group,
        boolean catchOutput,
        boolean decorateOutput,
        Path runtimeDir) {
}

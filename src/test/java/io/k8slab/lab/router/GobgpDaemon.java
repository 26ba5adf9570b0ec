package io.k8slab.lab.router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One gobgpd in a network namespace: its TOML configuration in a temporary directory, its API on 127.0.0.1:50051
 * inside the namespace (passed with --api-hosts), its log next to the configuration. Start and stop as often as a
 * test needs; the prefixes announced through {@link #announce} are announced again after each start, as a MetalLB
 * speaker does when it comes back.
 */
final class GobgpDaemon {

    static final int API_PORT = 50051;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final String namespace;
    private final Path config;
    private final Path log;
    private final Set<String> announced = new LinkedHashSet<>();
    private Process process;

    GobgpDaemon(String name, String namespace, Path directory, String toml) {
        this.name = name;
        this.namespace = namespace;
        this.config = directory.resolve(name + ".toml");
        this.log = directory.resolve(name + ".log");
        try {
            Files.writeString(config, toml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    String namespace() {
        return namespace;
    }

    Path log() {
        return log;
    }

    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts gobgpd and waits until its API answers; throws with the log's tail when it does not within 10 s. */
    synchronized void start() {
        if (running()) {
            return;
        }
        try {
            process = new ProcessBuilder("ip", "netns", "exec", namespace, "gobgpd", "-f", config.toString(), "-t", "toml",
                    "--api-hosts", "127.0.0.1:" + API_PORT, "--pprof-disable", "-p", "-l", "info")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start gobgpd " + name + " in namespace " + namespace, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gobgpd " + name + " exited with " + process.exitValue() + ":\n"
                        + Cmd.tail(log, 20));
            }
            if (Cmd.tryRun(cli("global")).exitCode() == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gobgpd " + name + "'s API did not answer within " + START_TIMEOUT + ":\n"
                        + Cmd.tail(log, 20));
            }
            sleep(100);
        }
        for (String prefix : announced) {
            Cmd.run(cli("global", "rib", "add", "-a", "ipv4", prefix));
        }
    }

    /** Stops gobgpd (SIGTERM, then SIGKILL after 5 s) and waits for it to be gone. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Announces a prefix from this daemon's global RIB (gobgp global rib add), now and after every restart. */
    synchronized void announce(String prefix) {
        announced.add(prefix);
        if (running()) {
            Cmd.run(cli("global", "rib", "add", "-a", "ipv4", prefix));
        }
    }

    synchronized void withdraw(String prefix) {
        announced.remove(prefix);
        if (running()) {
            Cmd.run(cli("global", "rib", "del", "-a", "ipv4", prefix));
        }
    }

    /** Runs the gobgp CLI against this daemon, inside its namespace, and returns its output. */
    String gobgp(String... arguments) {
        return Cmd.run(cli(arguments));
    }

    private String[] cli(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "gobgp", "-u", "127.0.0.1",
                "-p", String.valueOf(API_PORT)));
        command.addAll(List.of(arguments));
        return command.toArray(String[]::new);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.k8slab.lab.router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * rt-01's TLS front, as the lab runs it (deploy/lab/roles/router): haproxy in rt-01's namespace on the k8s-cluster
 * address, TLS with ALPN h2 (grpc-java insists on it), client certificates required and checked against the lab's
 * API CA, each connection passed on to gobgpd's plaintext API on 127.0.0.1. gobgpd 3.10's own --tls cannot ask
 * for client certificates.
 */
final class TlsFront {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final String namespace;
    private final String listen;
    private final Path config;
    private final Path log;
    private Process process;

    /**
     * @param serverPem the router's certificate followed by its key
     * @param clientCa the CA whose client certificates are let in
     */
    TlsFront(String namespace, Path directory, String address, int port, int gobgpdPort, Path serverPem, Path clientCa) {
        this.namespace = namespace;
        this.listen = address + ":" + port;
        this.config = directory.resolve("haproxy.cfg");
        this.log = directory.resolve("haproxy.log");
        try {
            Files.writeString(config, """
                    global
                      maxconn 64
                    defaults
                      mode tcp
                      timeout connect 2s
                      timeout client 1h
                      timeout server 1h
                      retries 0
                    frontend gobgp-api
                      bind %s ssl crt %s ca-file %s verify required alpn h2
                      default_backend gobgpd
                    backend gobgpd
                      server gobgpd 127.0.0.1:%d
                    """.formatted(listen, serverPem, clientCa, gobgpdPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path log() {
        return log;
    }

    /** Starts haproxy in the foreground and waits until it listens; throws with its log when it does not. */
    synchronized void start() {
        try {
            process = new ProcessBuilder("ip", "netns", "exec", namespace, "haproxy", "-db", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start haproxy in namespace " + namespace, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Cmd.tryRun("ip", "netns", "exec", namespace, "ss", "-Htln", "src", listen).output().contains(listen)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("haproxy did not listen on " + listen + " in " + namespace + ":\n" + Cmd.tail(log, 20));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }
}

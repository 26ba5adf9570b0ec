package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test certificates made by the {@code openssl} command in one directory: CAs and certificates they sign, each as
 * {@code <name>.crt} and {@code <name>.key} (RSA 2048, unencrypted PKCS#8 PEM), valid 30 days.
 */
public final class OpenSsl {

    private final Path dir;

    public OpenSsl(Path dir) {
        this.dir = dir;
    }

    /** A self-signed CA. */
    public OpenSsl ca(String name, String commonName) {
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=" + commonName,
                "-keyout", file(name + ".key"), "-out", file(name + ".crt"));
        return this;
    }

    /**
     * A certificate for {@code subject} signed by the CA {@code ca}, with {@code subjectAltNames} such as
     * {@code IP:127.0.0.1,DNS:localhost} when not null.
     */
    public OpenSsl signed(String name, String subject, String ca, String subjectAltNames) {
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", file(name + ".key"), "-out", file(name + ".csr"));
        List<String> sign = new ArrayList<>(List.of("x509", "-req", "-in", file(name + ".csr"), "-CA", file(ca + ".crt"),
                "-CAkey", file(ca + ".key"), "-CAcreateserial", "-days", "30", "-out", file(name + ".crt")));
        if (subjectAltNames != null) {
            try {
                Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + subjectAltNames + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sign.addAll(List.of("-extfile", file(name + ".ext")));
        }
        run(sign.toArray(String[]::new));
        return this;
    }

    /** A bare RSA key (PKCS#8 PEM). */
    public OpenSsl key(String name) {
        run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file(name + ".key"));
        return this;
    }

    public Path path(String name) {
        return dir.resolve(name);
    }

    public byte[] read(String name) {
        try {
            return Files.readAllBytes(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private static void run(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run openssl (hack/deps.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

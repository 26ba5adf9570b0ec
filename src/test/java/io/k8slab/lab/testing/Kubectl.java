package io.k8slab.lab.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs kubectl against the {@link TestCluster}, as a user would. */
public final class Kubectl {

    private Kubectl() {
    }

    /** kubectl's standard output; fails with its error output when it exits non-zero. */
    public static String run(String... args) {
        return run(TestCluster.get().kubeconfig(), false, args);
    }

    /** kubectl's standard output whatever its exit code (e.g. {@code auth can-i} exits 1 for "no"). */
    public static String runAllowingFailure(String... args) {
        return run(TestCluster.get().kubeconfig(), true, args);
    }

    /** As {@link #run(String...)}, against another cluster than the {@link TestCluster}. */
    public static String runAgainst(Path kubeconfig, String... args) {
        return run(kubeconfig, false, args);
    }

    private static String run(Path kubeconfig, boolean allowFailure, String... args) {
        List<String> command = new ArrayList<>(List.of(binary(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || (!allowFailure && process.exitValue() != 0)) {
                throw new AssertionError("kubectl " + String.join(" ", args) + " failed: " + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl (" + binary() + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** $KUBECTL, else kubectl on PATH, else the one beside the test kube-apiserver. */
    private static String binary() {
        String fromEnv = System.getenv("KUBECTL");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        boolean onPath = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
        if (onPath) {
            return "kubectl";
        }
        return ControlPlane.binaries().resolve("kubectl").toString();
    }
}

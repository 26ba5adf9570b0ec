package io.k8slab.lab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * CPU time (user + system) a process has used, from /proc: on this shared 2-core machine wall times move with the
 * other engineers' load, CPU time much less, so it tells which process a step's time went to.
 */
final class CpuTime {

    /** /proc counts in clock ticks; USER_HZ is 100 on Linux. */
    private static final long MILLIS_PER_TICK = 10;

    private CpuTime() {
    }

    /** CPU milliseconds used by {@code pid} so far. */
    static long millis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * MILLIS_PER_TICK;
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("process " + pid + " is gone", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPU milliseconds used so far by this JVM's descendant processes running {@code binary} (kube-apiserver, etcd). */
    static long millisOfChild(String binary) {
        var processes = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/" + binary)).orElse(false)).toList();
        if (processes.isEmpty()) {
            throw new IllegalStateException("no " + binary + " process below this JVM");
        }
        return processes.stream().mapToLong(p -> millis(p.pid())).sum();
    }
}

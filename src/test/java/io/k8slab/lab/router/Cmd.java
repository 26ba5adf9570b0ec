package io.k8slab.lab.router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands for the netns fixture; any failure throws with the command, its exit code and its output. */
final class Cmd {

    private Cmd() {
    }

    /** Runs the command, waiting at most 15 s, and returns its output; throws unless it exits 0. */
    static String run(String... command) {
        Result result = tryRun(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` exited " + result.exitCode() + ": "
                    + result.output().strip());
        }
        return result.output();
    }

    record Result(int exitCode, String output) {
    }

    /** Runs the command, waiting at most 15 s; a command that cannot start at all exits 127. */
    static Result tryRun(String... command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(124, "timed out after 15 s: " + new String(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** The executable's path, looked up on PATH and in /usr/sbin and /sbin (where iproute2 puts ip), or null. */
    static Path which(String executable) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String directory : path.split(":")) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, executable);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The last {@code lines} lines of a file, or a note that it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}

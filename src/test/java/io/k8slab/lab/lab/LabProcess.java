package io.k8slab.lab.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lab's tools (ruby, hack/lint-lab.sh) from the repository root, as a person would from a shell. A tool
 * that is missing, hangs or fails is an {@link AssertionError} carrying its output: nothing is skipped.
 */
final class LabProcess {

    /** The repository root: Maven runs the tests from there. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    /** Debian packages of the tools these tests call, for the messages when one is missing. */
    private static final Map<String, String> PACKAGES = Map.of("ruby", "ruby", "bash", "bash");

    record Result(int exitCode, String stdout, String stderr) {
    }

    private LabProcess() {
    }

    /** Runs the command and returns what it printed; fails with its output when it exits non-zero. */
    static String run(Duration timeout, String... command) {
        Result result = runAllowingFailure(timeout, command);
        if (result.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + result.exitCode() + "\n--- stdout\n"
                    + result.stdout() + "\n--- stderr\n" + result.stderr());
        }
        return result.stdout();
    }

    /** Runs the command (stdout and stderr kept apart) and returns how it ended. */
    static Result runAllowingFailure(Duration timeout, String... command) {
        try {
            Path err = Files.createTempFile("lab-process", ".err");
            Path out = Files.createTempFile("lab-process", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(ROOT.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                // No colours in the output these tests quote, and no version check over the network by Vagrant.
                builder.environment().put("NO_COLOR", "1");
                builder.environment().put("ANSIBLE_NOCOLOR", "1");
                builder.environment().put("VAGRANT_CHECKPOINT_DISABLE", "1");
                Process process = builder.start();
                if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroy);
                    process.destroy();
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                            + "\n--- stdout\n" + read(out) + "\n--- stderr\n" + read(err));
                }
                return new Result(process.exitValue(), read(out), read(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            String tool = command[0];
            throw new AssertionError("cannot run " + tool + " (" + e.getMessage() + "); install the Debian package "
                    + PACKAGES.getOrDefault(tool, tool), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code ruby deploy/lab/render.rb ARGS...}: what the settings make of the lab. */
    static String render(String... args) {
        String[] command = new String[args.length + 2];
        command[0] = "ruby";
        command[1] = "deploy/lab/render.rb";
        System.arraycopy(args, 0, command, 2, args.length);
        return run(Duration.ofSeconds(60), command);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}

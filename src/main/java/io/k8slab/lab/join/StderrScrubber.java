package io.k8slab.lab.join;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a command's error output into a status message: the last lines only (kubeadm's reason is at the end),
 * control characters out, and every secret removed, both the values the caller knows and anything shaped like a
 * bootstrap token. Pure.
 */
public final class StderrScrubber {

    static final String REDACTED = "<redacted>";
    private static final int MAX_LINE = 300;

    private StderrScrubber() {
    }

    /** The last {@code lines} non-blank lines of {@code output}, joined with " | ", scrubbed of {@code secrets}. */
    public static String lastLines(String output, int lines, Collection<String> secrets) {
        List<String> nonBlank = Arrays.stream(scrub(output == null ? "" : output, secrets).split("\\R"))
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .map(line -> line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line)
                .toList();
        return nonBlank.subList(Math.max(0, nonBlank.size() - lines), nonBlank.size()).stream()
                .collect(Collectors.joining(" | "));
    }

    /** {@code text} with each secret and each token-shaped string replaced, and control characters dropped. */
    public static String scrub(String text, Collection<String> secrets) {
        String scrubbed = text == null ? "" : text;
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                scrubbed = scrubbed.replace(secret, REDACTED);
            }
        }
        scrubbed = BootstrapToken.ANYWHERE.matcher(scrubbed).replaceAll(REDACTED);
        return scrubbed.replaceAll("\\x1B\\[[0-9;]*[A-Za-z]", "").replaceAll("[\\p{Cntrl}&&[^\\n\\r\\t]]", "");
    }
}

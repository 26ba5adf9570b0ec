package io.k8slab.lab.kube.client;

import java.util.regex.Pattern;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * An unexpected exception as a status condition's message: short, the API server's own words for a refused
 * request, and nothing that could be key material (a PEM block, a long base64 run such as a Secret's data), since
 * conditions are readable by whoever may read the resource. Pure.
 */
public final class FailureMessage {

    static final String REDACTED = "<redacted>";
    static final int MAX_LENGTH = 400;
    private static final Pattern PEM = Pattern.compile("-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)", Pattern.DOTALL);
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{40,}={0,2}");

    private FailureMessage() {
    }

    /** {@code cause} as "HTTP 404: its Status message" or "SimpleClassName: its message", scrubbed and capped. */
    public static String of(Throwable cause) {
        String text;
        if (cause instanceof KubernetesClientException e && e.getStatus() != null && e.getStatus().getMessage() != null) {
            text = "HTTP " + e.getCode() + ": " + e.getStatus().getMessage();
        } else {
            text = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        return scrub(text);
    }

    static String scrub(String text) {
        String scrubbed = BASE64_RUN.matcher(PEM.matcher(text).replaceAll(REDACTED)).replaceAll(REDACTED)
                .replaceAll("\\s+", " ").strip();
        return scrubbed.length() > MAX_LENGTH ? scrubbed.substring(0, MAX_LENGTH) + "…" : scrubbed;
    }

    /** Whether {@code e}, or what caused it, is the API server's 409: another writer came first. */
    public static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() == 409) {
                return true;
            }
        }
        return false;
    }
}

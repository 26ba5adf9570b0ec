package io.k8slab.lab.join;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A kubeadm bootstrap token, {@code <id>.<secret>}. The id is public (it names the Secret); the secret part is the
 * credential, so {@link #toString()} never shows it and only {@link #value()} hands it out, for the Secret and the
 * JoinConfiguration sent to a node.
 */
public final class BootstrapToken {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final Pattern ID = Pattern.compile("[a-z0-9]{6}");
    private static final Pattern SECRET = Pattern.compile("[a-z0-9]{16}");
    /** What a token looks like anywhere in a text, for scrubbing. */
    static final Pattern ANYWHERE = Pattern.compile("\\b[a-z0-9]{6}\\.[a-z0-9]{16}\\b");

    private final String id;
    private final String secret;

    private BootstrapToken(String id, String secret) {
        this.id = id;
        this.secret = secret;
    }

    /** A fresh token: 6 + 16 characters drawn from [a-z0-9] by a cryptographically secure generator, as kubeadm does. */
    public static BootstrapToken generate(SecureRandom random) {
        return new BootstrapToken(draw(random, 6), draw(random, 16));
    }

    /** The token stored in a Secret, or empty when the parts are not in kubeadm's format. */
    public static Optional<BootstrapToken> of(String id, String secret) {
        return id != null && secret != null && ID.matcher(id).matches() && SECRET.matcher(secret).matches()
                ? Optional.of(new BootstrapToken(id, secret))
                : Optional.empty();
    }

    private static String draw(SecureRandom random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    public String id() {
        return id;
    }

    /** The credential part; only for the token's Secret. */
    String secret() {
        return secret;
    }

    /** {@code <id>.<secret>}: only for the token's Secret and the JoinConfiguration sent to a node. */
    public String value() {
        return id + "." + secret;
    }

    /** The Secret in kube-system that holds the token, {@code bootstrap-token-<id>}. */
    public String secretName() {
        return "bootstrap-token-" + id;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BootstrapToken token && id.equals(token.id) && secret.equals(token.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, secret);
    }

    /** The Secret's name, never the credential. */
    @Override
    public String toString() {
        return secretName();
    }
}

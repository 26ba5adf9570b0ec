package io.k8slab.lab.join;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which bootstrap token a LabCluster uses, and which of its tokens go. Pure: one live token while joins are
 * pending, reused while fresh; none when nothing is pending. A token a running join still uses is kept until that
 * join ends, unless it has expired.
 */
public final class TokenRotation {

    /** What the LabCluster needs a token for now. */
    public enum Need {
        /** Nothing is pending: every token goes (once no running join uses it). */
        NONE,
        /**
         * Joins are pending but cannot start now (no SSH access or cluster CA yet, or a passing API error such as
         * an API server restarting): a fresh token stays for when they can, none is issued. Deleting it here
         * would only make the next reconcile issue another.
         */
        HOLD,
        /** Joins start now: use the fresh token, or issue one. */
        USE
    }

    /** Keep {@code use} (or issue a new token when it is empty and one is needed) and delete {@code delete}. */
    public record Plan(Optional<IssuedToken> use, boolean issue, List<IssuedToken> delete) {
    }

    private TokenRotation() {
    }

    public static Plan plan(List<IssuedToken> found, Need need, String ownerUid, Duration ttl, Instant now,
            Set<String> inUseIds) {
        Optional<IssuedToken> use = need != Need.NONE
                ? found.stream()
                        .filter(t -> ownerUid.equals(t.ownerUid()) && t.isFresh(ttl, now))
                        .max(Comparator.comparing(IssuedToken::expiration))
                : Optional.empty();
        List<IssuedToken> delete = found.stream()
                .filter(t -> use.map(u -> !u.equals(t)).orElse(true))
                .filter(t -> !inUseIds.contains(t.token().id()) || !now.isBefore(t.expiration()))
                .toList();
        return new Plan(use, need == Need.USE && use.isEmpty(), delete);
    }
}

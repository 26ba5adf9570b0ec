package io.k8slab.lab.join;

import java.time.Duration;
import java.time.Instant;

/** A bootstrap token as found in (or written to) its Secret: the token, when it expires, which LabCluster owns it. */
public record IssuedToken(BootstrapToken token, Instant expiration, String ownerUid) {

    /** Replace a token once two thirds of its lifetime are spent, so a join started on it still has time to finish. */
    public Instant renewAt(Duration ttl) {
        return expiration.minus(ttl.dividedBy(3));
    }

    public boolean isFresh(Duration ttl, Instant now) {
        return now.isBefore(renewAt(ttl));
    }
}

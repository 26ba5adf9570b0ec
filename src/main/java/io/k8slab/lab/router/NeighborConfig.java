package io.k8slab.lab.router;

/**
 * A neighbor to configure on the router.
 *
 * @param address the neighbor's address
 * @param asn the neighbor's AS number
 * @param description free text; lab-operator puts its marker here (see {@link NeighborMarker})
 * @param connectRetrySeconds how often the router retries connecting; 0 leaves the router's default (gobgpd: 120 s)
 * @param idleHoldAfterResetSeconds how long the router refuses the neighbor after a session drops; 0 leaves the
 *        router's default (gobgpd: 30 s, which delays a restarted speaker's session by that much)
 * @param holdTimeSeconds the hold time the router proposes; 0 leaves the router's default (gobgpd: 90 s)
 */
public record NeighborConfig(String address, long asn, String description, long connectRetrySeconds,
        long idleHoldAfterResetSeconds, long holdTimeSeconds) {

    public NeighborConfig {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("a neighbor needs an address");
        }
        if (asn < 1 || asn > 4294967295L) {
            throw new IllegalArgumentException("AS number " + asn + " of neighbor " + address + " is not in 1..4294967295");
        }
        if (connectRetrySeconds < 0 || idleHoldAfterResetSeconds < 0 || holdTimeSeconds < 0) {
            throw new IllegalArgumentException("timers of neighbor " + address + " must not be negative");
        }
    }

    /** Retries every 5 s and accepts a restarted speaker again after 5 s; the router's default hold time. */
    public static NeighborConfig of(String address, long asn, String description) {
        return new NeighborConfig(address, asn, description, 5, 5, 0);
    }
}

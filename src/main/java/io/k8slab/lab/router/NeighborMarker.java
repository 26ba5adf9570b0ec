package io.k8slab.lab.router;

/**
 * How lab-operator recognises the router neighbors it created: their description starts with
 * {@code lab-operator:<bgppeerpool>}, optionally followed by a space and free text (the node's name). Neighbors
 * without the marker (configured by hand, or by another tool) and neighbors marked for another BgpPeerPool are
 * never changed or deleted.
 */
public final class NeighborMarker {

    public static final String PREFIX = "lab-operator:";

    private NeighborMarker() {
    }

    /** The marker of neighbors created for {@code pool}. */
    public static String of(String pool) {
        return PREFIX + pool;
    }

    /** The description of a neighbor created for {@code pool} and {@code node}: the marker, then the node's name. */
    public static String description(String pool, String node) {
        return node == null || node.isBlank() ? of(pool) : of(pool) + " " + node;
    }

    /** Whether a neighbor with this description was created by lab-operator for {@code pool}. */
    public static boolean isManagedBy(String description, String pool) {
        if (description == null) {
            return false;
        }
        String marker = of(pool);
        return description.equals(marker) || description.startsWith(marker + " ");
    }

    /** The BgpPeerPool a neighbor was created for, or null when lab-operator did not create it. */
    public static String pool(String description) {
        if (description == null || !description.startsWith(PREFIX)) {
            return null;
        }
        String rest = description.substring(PREFIX.length());
        int space = rest.indexOf(' ');
        String pool = space < 0 ? rest : rest.substring(0, space);
        return pool.isEmpty() ? null : pool;
    }
}

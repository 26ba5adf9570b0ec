package io.k8slab.lab.routes;

/**
 * A route's state at the router, as {@code RouteStatus.state} spells it ({@link #label}). Declared in the order the
 * status lists routes: problems first.
 */
public enum RouteState {

    /** Some node's speaker says it advertises the route to this peer, and the router holds no path from that node. */
    NOT_RECEIVED("NotReceived"),
    /** The router does not hold it at all. */
    MISSING("Missing"),
    /** Through some expected next hops, not all. */
    PARTIAL("Partial"),
    /** A prefix inside the pool's ranges that no Service owns. */
    UNEXPECTED("Unexpected"),
    /** Through every expected next hop. */
    CONVERGED("Converged"),
    /** The router could not be asked. */
    UNKNOWN("Unknown");

    public final String label;

    RouteState(String label) {
        this.label = label;
    }
}

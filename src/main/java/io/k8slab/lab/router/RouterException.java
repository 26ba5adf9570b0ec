package io.k8slab.lab.router;

/**
 * The router answered, but refused or failed the request (for example AddPeer for a neighbor that already exists).
 * The message names the router and gRPC's status; there is no stack trace, since the place in the operator where a
 * router said no is never the interesting part.
 */
public class RouterException extends RuntimeException {

    private final String router;

    public RouterException(String router, String message) {
        super(message, null, false, false);
        this.router = router;
    }

    /** The router's API endpoint, host:port. */
    public String router() {
        return router;
    }
}

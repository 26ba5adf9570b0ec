package io.k8slab.lab.router;

/**
 * The router's API could not be reached within the deadline: nothing listens there, the connection broke, or no
 * answer came in time. Reconcilers report it (reason {@code RouterUnreachable}) and carry on.
 */
public class RouterUnreachableException extends RouterException {

    public RouterUnreachableException(String router, String message) {
        super(router, message);
    }
}

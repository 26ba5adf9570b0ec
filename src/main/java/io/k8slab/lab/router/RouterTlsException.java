package io.k8slab.lab.router;

/**
 * The router's API could not be used because TLS failed: the client certificate's Secret is missing or unusable, or
 * the handshake failed (the router refused the client certificate, or its own certificate does not chain to the CA
 * the operator was given). Reported with reason {@code RouterTLSFailed}; the message names the Secret and the cause,
 * never key material.
 */
public class RouterTlsException extends RouterUnreachableException {

    public RouterTlsException(String router, String message) {
        super(router, message);
    }
}

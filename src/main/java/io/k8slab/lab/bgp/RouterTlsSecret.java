package io.k8slab.lab.bgp;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.router.RouterTls;
import io.k8slab.lab.router.RouterTlsException;

/** Reads the client certificate a peer's router block names ({@link RouterAPI#tlsSecretRef}). */
final class RouterTlsSecret {

    static final String DEFAULT_NAMESPACE = "kube-system";

    private RouterTlsSecret() {
    }

    /**
     * The credentials for the router's API, or empty for plaintext.
     *
     * @throws RouterTlsException naming the Secret when it is missing, unreadable or incomplete
     */
    static Optional<RouterTls> read(KubernetesClient client, RouterAPI router) {
        if (router.tlsSecretRef == null || router.tlsSecretRef.name == null) {
            return Optional.empty();
        }
        String namespace = router.tlsSecretRef.namespace == null ? DEFAULT_NAMESPACE : router.tlsSecretRef.namespace;
        String source = namespace + "/" + router.tlsSecretRef.name;
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(router.tlsSecretRef.name).get();
        } catch (KubernetesClientException e) {
            throw new RouterTlsException(router.address, "router API " + router.address + ": cannot read TLS Secret " + source
                    + " (HTTP " + e.getCode() + (e.getCode() == 403 ? "; the operator may read Secrets only in " + DEFAULT_NAMESPACE : "")
                    + ")");
        }
        if (secret == null) {
            throw new RouterTlsException(router.address, "router API " + router.address + ": TLS Secret " + source + " not found");
        }
        return Optional.of(RouterTls.fromSecretData(router.address, source, secret.getMetadata().getResourceVersion(), secret.getData()));
    }
}

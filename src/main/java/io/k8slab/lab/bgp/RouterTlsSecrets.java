package io.k8slab.lab.bgp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.router.RouterTls;

/**
 * The routers' client certificates, read from their Secrets at most once a {@link #REREAD} while the router answers:
 * the 10-second router refresh would otherwise read each Secret six times a minute. After a TLS failure the Secret is
 * read again at the next refresh, so a fixed certificate is taken at once; a rotation that the old certificate
 * survives is taken within the minute, as the kubelet's Secret volumes do. A router that is down keeps its copy.
 */
final class RouterTlsSecrets {

    static final Duration REREAD = Duration.ofMinutes(1);

    private record Read(RouterTls tls, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Read> reads = new ConcurrentHashMap<>();

    RouterTlsSecrets(Clock clock) {
        this.clock = clock;
    }

    /** As {@link RouterTlsSecret#read}; a missing or unusable Secret is never remembered. */
    Optional<RouterTls> read(KubernetesClient client, RouterAPI router) {
        if (router.tlsSecretRef == null || router.tlsSecretRef.name == null) {
            return Optional.empty();
        }
        String key = key(router);
        Instant now = clock.instant();
        Read earlier = reads.get(key);
        if (earlier != null && earlier.at().plus(REREAD).isAfter(now)) {
            return Optional.of(earlier.tls());
        }
        Optional<RouterTls> tls = RouterTlsSecret.read(client, router);
        tls.ifPresent(t -> reads.put(key, new Read(t, now)));
        return tls;
    }

    /** TLS with the router failed: read its Secret again next time. */
    void forget(RouterAPI router) {
        if (router.tlsSecretRef != null && router.tlsSecretRef.name != null) {
            reads.remove(key(router));
        }
    }

    private static String key(RouterAPI router) {
        String namespace = router.tlsSecretRef.namespace == null ? RouterTlsSecret.DEFAULT_NAMESPACE : router.tlsSecretRef.namespace;
        return router.address + "\n" + namespace + "/" + router.tlsSecretRef.name;
    }
}

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
import io.k8slab.lab.router.RouterTlsException;

/**
 * The routers' client certificates, read from their Secrets at most once a {@link #REREAD} while the router answers:
 * the 10-second router refresh would otherwise read each Secret six times a minute. After a TLS failure the Secret is
 * read again at the next refresh, so a fixed certificate is taken at once; a rotation that the old certificate
 * survives is taken within the minute, as the kubelet's Secret volumes do. A router that is down keeps its copy. A
 * Secret that is missing or unusable is asked for again after {@link #FAILED_REREAD}: a Secret created after its
 * pool is taken within that, and one nobody created costs three reads a minute, not six (issue 13's steady state).
 */
final class RouterTlsSecrets {

    static final Duration REREAD = Duration.ofMinutes(1);
    static final Duration FAILED_REREAD = Duration.ofSeconds(20);

    /** What a read found: the credentials, or why there are none. */
    private record Read(RouterTls tls, RouterTlsException failure, Instant at) {
        Duration lasts() {
            return failure == null ? REREAD : FAILED_REREAD;
        }
    }

    private final Clock clock;
    private final Map<String, Read> reads = new ConcurrentHashMap<>();

    RouterTlsSecrets(Clock clock) {
        this.clock = clock;
    }

    /** As {@link RouterTlsSecret#read}, or what it found last while that is recent enough. */
    Optional<RouterTls> read(KubernetesClient client, RouterAPI router) {
        if (router.tlsSecretRef == null || router.tlsSecretRef.name == null) {
            return Optional.empty();
        }
        String key = key(router);
        Instant now = clock.instant();
        Read earlier = reads.get(key);
        if (earlier == null || !earlier.at().plus(earlier.lasts()).isAfter(now)) {
            earlier = readNow(client, router, now);
            reads.put(key, earlier);
        }
        if (earlier.failure() != null) {
            throw earlier.failure();
        }
        return Optional.of(earlier.tls());
    }

    private static Read readNow(KubernetesClient client, RouterAPI router, Instant now) {
        try {
            return new Read(RouterTlsSecret.read(client, router).orElseThrow(), null, now);
        } catch (RouterTlsException e) {
            return new Read(null, e, now);
        }
    }

    /** TLS with the router failed: read its Secret again next time (a Secret found unusable keeps its wait). */
    void forget(RouterAPI router) {
        if (router.tlsSecretRef != null && router.tlsSecretRef.name != null) {
            reads.computeIfPresent(key(router), (key, read) -> read.failure() == null ? null : read);
        }
    }

    private static String key(RouterAPI router) {
        String namespace = router.tlsSecretRef.namespace == null ? RouterTlsSecret.DEFAULT_NAMESPACE : router.tlsSecretRef.namespace;
        return router.address + "\n" + namespace + "/" + router.tlsSecretRef.name;
    }
}

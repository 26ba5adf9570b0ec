package io.k8slab.lab.router.gobgp;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterTls;

/**
 * One client per router endpoint and credentials Secret for the operator's lifetime: gRPC channels are meant to be
 * reused. A client is replaced (the old one closed) when its Secret changes, e.g. a renewed certificate.
 */
public final class RouterClients implements AutoCloseable {

    private record Entry(Optional<RouterTls> tls, RouterClient client) {
    }

    private final Map<String, Entry> clients = new ConcurrentHashMap<>();

    /** The plaintext client for the endpoint. */
    public RouterClient forEndpoint(String endpoint) {
        return forEndpoint(endpoint, Optional.empty());
    }

    /** The client for the endpoint with these credentials (none: plaintext). */
    public RouterClient forEndpoint(String endpoint, Optional<RouterTls> tls) {
        String key = endpoint + tls.map(t -> " " + t.source()).orElse("");
        Entry entry = clients.compute(key, (k, current) -> {
            if (current != null && Objects.equals(current.tls(), tls)) {
                return current;
            }
            RouterClient fresh = GobgpRouterClient.connect(endpoint, GobgpRouterClient.DEFAULT_DEADLINE, tls);
            if (current != null) {
                current.client().close();
            }
            return new Entry(tls, fresh);
        });
        return entry.client();
    }

    @Override
    public void close() {
        clients.values().forEach(entry -> entry.client().close());
        clients.clear();
    }
}

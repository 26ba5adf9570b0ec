package io.k8slab.lab.router;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One client per router endpoint for the operator's lifetime: gRPC channels are meant to be reused. */
public final class RouterClients implements AutoCloseable {

    private final Map<String, RouterClient> clients = new ConcurrentHashMap<>();

    public RouterClient forEndpoint(String endpoint) {
        return clients.computeIfAbsent(endpoint, GobgpRouterClient::connect);
    }

    @Override
    public void close() {
        clients.values().forEach(RouterClient::close);
        clients.clear();
    }
}

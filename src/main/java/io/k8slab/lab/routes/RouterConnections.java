package io.k8slab.lab.routes;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterException;

/**
 * A pool's routers for one round (the neighbor sync, then the survey): each peer's client is opened once, and a
 * router that failed once in the round fails again with the same exception instead of being asked a second time.
 * Keyed by the peer's router block, so two peers naming one router are two entries, as they are two questions.
 */
public final class RouterConnections implements Function<RouterAPI, RouterClient> {

    private final Function<RouterAPI, RouterClient> open;
    private final Map<RouterAPI, RouterClient> clients = new IdentityHashMap<>();
    private final Map<RouterAPI, RouterException> failures = new IdentityHashMap<>();

    /** @param open the client for a router's API block; may throw {@link RouterException} (its TLS Secret unusable, say) */
    public RouterConnections(Function<RouterAPI, RouterClient> open) {
        this.open = open;
    }

    /** The router's client; throws the router's failure of this round, if it had one. */
    @Override
    public RouterClient apply(RouterAPI router) {
        RouterException failure = failures.get(router);
        if (failure != null) {
            throw failure;
        }
        RouterClient client = clients.get(router);
        if (client == null) {
            try {
                client = open.apply(router);
            } catch (RouterException e) {
                failures.put(router, e);
                throw e;
            }
            clients.put(router, client);
        }
        return client;
    }

    /** The router failed: the rest of the round does not ask it again. */
    void failed(RouterAPI router, RouterException e) {
        failures.put(router, e);
    }
}

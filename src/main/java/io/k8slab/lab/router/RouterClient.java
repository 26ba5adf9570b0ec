package io.k8slab.lab.router;

import java.util.Collection;
import java.util.List;

/**
 * A BGP router's management API, as the operator uses it: read the neighbors and the RIB, add and delete neighbors.
 * Every call either answers within a short deadline or throws {@link RouterUnreachableException}; a router that
 * answers with an error throws {@link RouterException}. Implementations are thread-safe; close releases the connection.
 */
public interface RouterClient extends AutoCloseable {

    /** The router's API endpoint, host:port, for messages. */
    String endpoint();

    /** Every neighbor the router has configured, with its session state. */
    List<RouterPeer> listPeers();

    /**
     * The paths of the router's global RIB (all paths of every destination, not only the best one) within these
     * prefixes, each the prefix itself and longer ones (e.g. {@code 172.17.254.0/24}): what is read is in proportion
     * to the prefixes asked about, not to the router's table. One call per address family, each under its own
     * deadline; no prefixes, no call.
     */
    List<RouterRoute> listRoutes(Collection<String> prefixes);

    /** Every path of the router's global RIB (IPv4 unicast). */
    default List<RouterRoute> listRoutes() {
        return listRoutes(List.of("0.0.0.0/0"));
    }

    /** Configures a neighbor; fails with {@link RouterException} when one with that address exists. */
    void addPeer(NeighborConfig neighbor);

    /** Configures a neighbor with {@link NeighborConfig#of}'s timers. */
    default void addPeer(String address, long asn, String description) {
        addPeer(NeighborConfig.of(address, asn, description));
    }

    /** Removes the neighbor with this address; fails with {@link RouterException} when there is none. */
    void deletePeer(String address);

    @Override
    void close();
}

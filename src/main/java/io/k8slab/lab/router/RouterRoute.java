package io.k8slab.lab.router;

import java.util.List;

/**
 * One path of the router's RIB: a prefix, through one next hop, learnt from one neighbor. A prefix learnt from three
 * speakers is three RouterRoutes.
 *
 * @param prefix e.g. {@code 172.17.254.1/32}
 * @param nextHop e.g. {@code 172.17.0.21}
 * @param asPath the AS numbers of the path, nearest first (e.g. [64522])
 * @param neighbor the neighbor the path came from; empty for paths the router originated itself
 * @param best whether the router selected this path as best
 */
public record RouterRoute(String prefix, String nextHop, List<Long> asPath, String neighbor, boolean best) {

    public RouterRoute {
        asPath = List.copyOf(asPath);
    }
}

package io.k8slab.lab.bgp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.CrdRenderer;
import io.k8slab.lab.metrics.LabMetrics;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.routes.ExpectedRoutes;
import io.k8slab.lab.routes.PeerRoutes;
import io.k8slab.lab.routes.RouterConnections;
import io.k8slab.lab.routes.RouterNeighborSync;
import io.k8slab.lab.routes.RouterSurvey;
import io.k8slab.lab.routes.SpeakerView;

/**
 * The routers: keep managed routers' neighbors in step with the speakers, then ask every router what it sees and
 * compare it with what should be there ({@link RouterSurvey}); report sessions and routes in the lab's metrics.
 *
 * <p>Not a JOSDK polling dependent: a router's answer means something only beside what the cluster says should be
 * there at that moment (this reconcile's caches), a managed router's neighbors are written before it is asked, and
 * the refresh is already the reconcile's own {@code rescheduleAfter}, with no poller thread or second cache.
 */
final class RoutersPhase {

    private final RouterClients routers;
    private final RouterTlsSecrets tlsSecrets;
    private final EndpointWatch endpointWatch;
    private final LabMetrics metrics;

    RoutersPhase(RouterClients routers, RouterTlsSecrets tlsSecrets, EndpointWatch endpointWatch, LabMetrics metrics) {
        this.routers = routers;
        this.tlsSecrets = tlsSecrets;
        this.endpointWatch = endpointWatch;
        this.metrics = metrics;
    }

    void run(BgpPeerPoolScope scope) {
        BgpPeerPool pool = scope.pool;
        ExpectedRoutes.Cluster cluster = cluster(scope);
        List<PeerRoutes> expected = PeerRoutes.of(pool, cluster);
        RouterConnections connections = new RouterConnections(router -> routers.forEndpoint(router.address, tlsSecrets.read(scope.client, router)));
        List<String> neighborChanges = RouterNeighborSync.sync(pool, expected, connections);
        RouterSurvey.Report routing = RouterSurvey.survey(expected, cluster, connections,
                scope.speakerView.map(view -> speakersOf(view, scope)).orElse(null));
        if (RouterSurvey.TLS_FAILED.equals(routing.unreachableReason())) {
            Optional.ofNullable(pool.getSpec().peers).orElse(List.of()).stream().filter(peer -> peer.router != null).forEach(peer -> tlsSecrets.forget(peer.router));
        }
        neighborChanges.forEach(change -> scope.events.normal(pool, "RouterNeighborsChanged", change));
        metrics.bgpReport(scope.poolName(), routing.peers(), routing.sessions() == RouterSurvey.Verdict.NOT_OBSERVED
                || !routing.unreachable().isEmpty() ? null : routing.counts());
        scope.routing = routing;
    }

    /** The cluster as the informers hold it: every object of the watched kinds, whichever pool they concern; the endpoints this pool's MetalLB reads. */
    private ExpectedRoutes.Cluster cluster(BgpPeerPoolScope scope) {
        EndpointWatch.Read endpoints = endpointWatch.read(scope.context, scope.target.version());
        return new ExpectedRoutes.Cluster(scope.services, scope.cache.list(Node.class), scope.cache.list(Pod.class), endpoints.endpoints(),
                endpoints.slices());
    }

    /** Per peer, what the speakers say they advertise to the BGPPeer that carries it (ServiceBGPStatus names BGPPeers). */
    private static Function<BgpPeer, Map<String, SortedSet<String>>> speakersOf(SpeakerView view, BgpPeerPoolScope scope) {
        List<BgpPeerPool> rendered = new ArrayList<>(scope.others);
        rendered.add(scope.pool);
        // An invalid pool is not rendered: its peers are looked up under the names it would give them itself.
        return peer -> view.toPeer(scope.valid() ? CrdRenderer.bgpPeerName(rendered, scope.pool, peer)
                : CrdRenderer.bgpPeerName(scope.pool, peer));
    }
}

package io.k8slab.lab.bgp;

import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.VALID;

import java.util.Comparator;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Service;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.metallb.MetalLbModel;
import io.k8slab.lab.metallb.apply.ConfigWriter;

/**
 * Checks the pool against MetalLB's rules, the pools already in force and the lab's networks, and against the
 * addresses MetalLB has handed out from it. A new problem is told once in a Warning Event.
 */
final class ValidationPhase {

    private final Refusals refusals;

    ValidationPhase(Refusals refusals) {
        this.refusals = refusals;
    }

    void run(BgpPeerPoolScope scope) {
        BgpPeerPool pool = scope.pool;
        if (scope.mode != null) {
            ConfigWriter configuration = scope.configuration();
            scope.others = configuration.othersInForce(pool);
            scope.lastAccepted = configuration.lastAccepted(pool);
        }
        scope.services = scope.cache.list(Service.class);
        if (scope.mode != null) {
            scope.violations.addAll(MetalLbModel.parse(pool, scope.others,
                    new MetalLbModel.Facts(labNetworks(scope), scope.lastAccepted, scope.services)).violations());
        }
        if (!scope.valid()) {
            refusals.warn(pool, scope.events, VALID, scope.violations.get(0).reason(), Violation.summarize(scope.violations));
        }
    }

    /**
     * The lab's networks, from the first LabCluster by name (a lab has one); empty when there is none. Read from the
     * informer's whole cache: every LabCluster concerns every pool, including pools created after it.
     */
    private static Optional<LabNetworks> labNetworks(BgpPeerPoolScope scope) {
        return scope.cache.list(LabCluster.class).stream()
                .min(Comparator.comparing(c -> c.getMetadata().getName()))
                .map(c -> c.getSpec().networks);
    }
}

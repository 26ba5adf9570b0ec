package io.k8slab.lab.bgp;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.apply.MetalLbComponents;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;

/**
 * Installs MetalLB (spec.metallb.install), or puts back what was deleted or edited: its objects are JOSDK
 * dependents ({@link MetalLbComponents}), so this reads caches only. Someone else's objects of the released names
 * are left as they are and reported.
 */
final class InstallPhase {

    private final MetalLbComponents components;

    InstallPhase(MetalLbComponents components) {
        this.components = components;
    }

    void run(BgpPeerPoolScope scope) {
        // From the informers' caches: a timed router refresh re-reads nothing for availability.
        scope.controller = scope.cache.list(Deployment.class).stream().filter(d -> MetalLbInstallation.isController(d, scope.target)).findFirst();
        scope.speaker = scope.cache.list(DaemonSet.class).stream().filter(d -> MetalLbInstallation.isSpeaker(d, scope.target)).findFirst();
        if (!scope.target.install() || scope.mode == null || !scope.installable) {
            return;
        }
        try {
            List<String> written = components.ensure(scope.pool, scope.context);
            if (!written.isEmpty()) {
                scope.events.normal(scope.pool, "MetalLBInstalled", "applied " + String.join(", ", written) + " for " + scope.target);
            }
        } catch (NotOwnedException e) {
            scope.installNotOwned = Optional.of(e.getMessage());
        }
    }
}

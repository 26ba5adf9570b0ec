package io.k8slab.lab.bgp;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.apply.InstallationChecks;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;

/**
 * Installs MetalLB (spec.metallb.install), or puts back what was deleted or edited; reads back its unwatched
 * components only when a check is due ({@link InstallationChecks}). Someone else's components of the same names
 * are left as they are and reported.
 */
final class InstallPhase {

    private final InstallationChecks checks;

    InstallPhase(InstallationChecks checks) {
        this.checks = checks;
    }

    void run(BgpPeerPoolScope scope) {
        // From the informers' caches: a timed router refresh re-reads neither for the install check nor for availability.
        scope.controller = scope.cache.list(Deployment.class).stream().filter(d -> MetalLbInstallation.isController(d, scope.target)).findFirst();
        scope.speaker = scope.cache.list(DaemonSet.class).stream().filter(d -> MetalLbInstallation.isSpeaker(d, scope.target)).findFirst();
        if (!scope.target.install() || scope.mode == null || !scope.installable || !checks.due(scope.target, scope.controller, scope.speaker)) {
            return;
        }
        try {
            List<String> written = MetalLbInstallation.ensure(scope.client, scope.target);
            checks.checked(scope.target);
            if (!written.isEmpty()) {
                scope.events.normal(scope.pool, "MetalLBInstalled", "applied " + String.join(", ", written) + " for " + scope.target);
            }
        } catch (NotOwnedException e) {
            scope.installNotOwned = Optional.of(e.getMessage());
        }
    }
}

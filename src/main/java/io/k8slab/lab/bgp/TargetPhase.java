package io.k8slab.lab.bgp;

import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.NAMESPACE_NOT_ALLOWED;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.KubernetesCompatibility;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;

/**
 * The MetalLB a pool targets (spec.metallb): a version the operator knows, which gives the mode its configuration
 * is written in; the one namespace the operator may touch; and, to install it, an embedded release that supports
 * the API server's Kubernetes. What fails is a violation; without a mode nothing is read or written for the pool.
 */
final class TargetPhase {

    /** As the reconciler's maximum interval: an upgraded control plane is seen within it. */
    static final Duration VERSION_REREAD = Duration.ofMinutes(5);

    private record CachedVersion(KubernetesCompatibility.KubernetesVersion version, Instant read) {
    }

    private final Clock clock;
    /** The one namespace whose MetalLB objects the operator may read and write (deploy/operator grants no other). */
    private final String metallbNamespace;
    private volatile CachedVersion kubernetesVersion;

    TargetPhase(Clock clock, String metallbNamespace) {
        this.clock = clock;
        this.metallbNamespace = metallbNamespace;
    }

    void run(BgpPeerPoolScope scope) {
        ResolvedTarget target = scope.target;
        Optional<Violation> versionProblem = MetalLbVersion.check(target.version());
        Optional<Violation> namespaceProblem = namespaceNotAllowed(target);
        versionProblem.ifPresent(scope.violations::add);
        namespaceProblem.ifPresent(scope.violations::add);
        scope.mode = versionProblem.isPresent() || namespaceProblem.isPresent() ? null
                : MetalLbVersion.parse(target.version()).orElseThrow().mode();
        Optional<Violation> notInstallable = MetalLbInstallation.notInstallable(target)
                .or(() -> target.install() ? KubernetesCompatibility.check(target, kubernetesVersion(scope.client)) : Optional.empty());
        notInstallable.ifPresent(scope.violations::add);
        scope.installable = notInstallable.isEmpty();
    }

    /**
     * The operator touches MetalLB's objects in one namespace, its setting {@value BgpPeerPoolReconciler#NAMESPACE_SETTING}:
     * the one deploy/operator's Role grants. A pool naming another gets this violation and nothing is read or written there.
     */
    Optional<Violation> namespaceNotAllowed(ResolvedTarget target) {
        return metallbNamespace.equals(target.namespace()) ? Optional.empty()
                : Optional.of(new Violation("spec.metallb.namespace", NAMESPACE_NOT_ALLOWED, "the operator may touch MetalLB's objects "
                        + "in namespace " + metallbNamespace + " only (its setting " + BgpPeerPoolReconciler.NAMESPACE_SETTING
                        + ", the namespace deploy/operator grants it), not in " + target.namespace() + ": set spec.metallb.namespace to "
                        + metallbNamespace + ", or run the operator with " + BgpPeerPoolReconciler.NAMESPACE_SETTING + "="
                        + target.namespace() + " and its Role there"));
    }

    /** The API server's release, read once every {@link #VERSION_REREAD} (a control plane may be upgraded). */
    private KubernetesCompatibility.KubernetesVersion kubernetesVersion(KubernetesClient client) {
        Instant now = clock.instant();
        CachedVersion cached = kubernetesVersion;
        if (cached == null || !now.isBefore(cached.read().plus(VERSION_REREAD))) {
            VersionInfo info = client.getKubernetesVersion();
            var version = KubernetesCompatibility.KubernetesVersion.parse(info.getMajor(), info.getMinor())
                    .orElseThrow(() -> new IllegalStateException("unreadable Kubernetes version " + info.getMajor() + "." + info.getMinor()));
            cached = new CachedVersion(version, now);
            kubernetesVersion = cached;
        }
        return cached.version();
    }
}

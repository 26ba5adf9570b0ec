package io.k8slab.lab.cluster;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.join.BootstrapTokenIssuer;
import io.k8slab.lab.join.ClusterDiscovery;
import io.k8slab.lab.join.IssuedToken;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.TokenRotation;
import io.k8slab.lab.metrics.LabMetrics;

/**
 * Keeps one fresh bootstrap token while a join is pending and none otherwise, in small steps like Cluster API's
 * kubeadm bootstrap controller ({@code token.go}): which joins wait, what they need besides a token (SSH access,
 * the published cluster CA, a known host key), which tokens to delete, whether to issue one.
 */
final class EnsureJoinToken implements LabClusterPhase {

    /** Why joins cannot run now: a condition reason and a message a person can act on. */
    private record Blocker(String reason, String message) {
    }

    /** The CA hashes joining nodes pin, or why joins cannot run now. */
    private record Prerequisites(List<String> caCertHashes, Optional<Blocker> blocker) {
        static final Prerequisites NONE = new Prerequisites(List.of(), Optional.empty());

        static Prerequisites blocked(String reason, String message) {
            return new Prerequisites(List.of(), Optional.of(new Blocker(reason, message)));
        }
    }

    private final MachineRuns runs;
    private final LabMetrics metrics;
    private final SecureRandom random = new SecureRandom();

    EnsureJoinToken(MachineRuns runs, LabMetrics metrics) {
        this.runs = runs;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "ensure the join token";
    }

    @Override
    public void run(LabClusterScope scope) {
        List<LabNode> waiting = waitingJoins(scope);
        boolean pending = !waiting.isEmpty();
        Prerequisites prerequisites = pending ? prerequisites(scope, waiting) : Prerequisites.NONE;
        Optional<Blocker> blocker = prerequisites.blocker();
        List<String> hashes = prerequisites.caCertHashes();
        boolean needed = pending && blocker.isEmpty();

        BootstrapTokenIssuer issuer = new BootstrapTokenIssuer(scope.client, random);
        TokenRotation.Need need = needed ? TokenRotation.Need.USE : pending ? TokenRotation.Need.HOLD : TokenRotation.Need.NONE;
        TokenRotation.Plan plan = TokenRotation.plan(issuer.find(scope.name), need, scope.cluster.getMetadata().getUid(),
                scope.settings.tokenTTL(), scope.now, runs.tokensInUse(scope.name));
        deleteOld(scope, issuer, plan, need);
        Optional<IssuedToken> token = plan.use();
        if (plan.issue()) {
            try {
                token = Optional.of(issue(scope, issuer));
            } catch (KubernetesClientException e) {
                String problem = "cannot issue a bootstrap token: " + StatusText.apiReason(e);
                scope.token = new TokenStep(Optional.empty(), hashes, Optional.of(problem), false, "IssueFailed", problem);
                return;
            }
        }
        scope.token = step(pending, blocker, token, hashes);
    }

    /** The unjoined nodes whose join is still to come: not those joined and waiting for their Node to register. */
    private List<LabNode> waitingJoins(LabClusterScope scope) {
        Map<String, MachineRuns.Record> records = runs.records(scope.name);
        return scope.observed.unjoined().stream()
                .filter(n -> Optional.ofNullable(records.get(n.name))
                        .map(r -> r.work() != MachineRuns.Work.JOIN || r.state() != MachineRuns.State.DONE).orElse(true))
                .toList();
    }

    private static Prerequisites prerequisites(LabClusterScope scope, List<LabNode> waiting) {
        Prerequisites prerequisites = prerequisites(scope.access, scope.client);
        if (prerequisites.blocker().isEmpty() && waiting.stream().allMatch(n -> scope.machines.hostKeyWaits().containsKey(n.name))) {
            // No machine may be contacted yet: a token would only wait; keep one that exists.
            return Prerequisites.blocked("WaitingForHostKeys", "every pending join waits for its machine's host key (see HostKeysKnown)");
        }
        return prerequisites;
    }

    private static Prerequisites prerequisites(SshAccess access, KubernetesClient client) {
        if (access.problem().isPresent()) {
            return Prerequisites.blocked("WaitingForSshAccess", access.problem().get());
        }
        String published = ClusterDiscovery.NAMESPACE + "/" + ClusterDiscovery.CLUSTER_INFO + " or " + ClusterDiscovery.NAMESPACE + "/"
                + ClusterDiscovery.ROOT_CA;
        try {
            return ClusterDiscovery.caCertHashes(client).map(hashes -> new Prerequisites(hashes, Optional.empty()))
                    .orElseGet(() -> Prerequisites.blocked("ClusterCANotFound", "no cluster CA in " + published + "; nodes cannot pin it"));
        } catch (IllegalArgumentException e) {
            return Prerequisites.blocked("ClusterCANotFound", "the cluster CA in " + published + " is unreadable: " + e.getMessage());
        }
    }

    private void deleteOld(LabClusterScope scope, BootstrapTokenIssuer issuer, TokenRotation.Plan plan, TokenRotation.Need need) {
        for (IssuedToken old : plan.delete()) {
            issuer.delete(old);
            metrics.tokenDeleted();
            scope.events.normal(scope.cluster, "TokenDeleted", "deleted bootstrap token " + old.token().secretName() + ": "
                    + switch (need) {
                        case USE -> "replaced by a fresh one";
                        case HOLD -> "no longer fresh; a fresh one comes when joins can run";
                        case NONE -> "no join is pending";
                    });
        }
    }

    private IssuedToken issue(LabClusterScope scope, BootstrapTokenIssuer issuer) {
        IssuedToken token = issuer.issue(scope.cluster, scope.settings.tokenTTL(), scope.now);
        metrics.tokenIssued();
        scope.events.normal(scope.cluster, "TokenIssued", "issued bootstrap token " + token.token().secretName()
                + ", valid until " + token.expiration());
        return token;
    }

    private static TokenStep step(boolean pending, Optional<Blocker> blocker, Optional<IssuedToken> token, List<String> hashes) {
        if (!pending) {
            return new TokenStep(Optional.empty(), hashes, Optional.empty(), true, "NoJoinPending", "no join is pending; no bootstrap token is kept");
        }
        if (blocker.isPresent()) {
            return new TokenStep(Optional.empty(), hashes, blocker.map(Blocker::message), false, blocker.get().reason(),
                    (token.isPresent() ? "token kept, joins wait: " : "no token issued: ") + blocker.get().message());
        }
        IssuedToken issued = token.orElseThrow();
        return new TokenStep(token, hashes, Optional.empty(), true, "Issued", issued.token().secretName()
                + " in " + BootstrapTokenIssuer.NAMESPACE + ", valid until " + issued.expiration());
    }
}

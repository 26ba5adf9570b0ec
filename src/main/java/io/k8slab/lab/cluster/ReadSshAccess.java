package io.k8slab.lab.cluster;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.join.SshCredentials;

/** Reads the SSH Secret the spec names, only when some machine needs SSH work (a join, or a reset). */
final class ReadSshAccess implements LabClusterPhase {

    @Override
    public String name() {
        return "read the SSH Secret";
    }

    @Override
    public void run(LabClusterScope scope) {
        scope.access = scope.observed.needsSsh() ? sshAccess(scope.settings, scope.client) : SshAccess.NOT_NEEDED;
    }

    private static SshAccess sshAccess(EffectiveJoin settings, KubernetesClient client) {
        if (settings.ssh().isEmpty()) {
            return SshAccess.problem("spec.join.ssh is not set, so the operator cannot reach the machines; join them by hand or set it");
        }
        EffectiveJoin.Ssh ssh = settings.ssh().get();
        try {
            Secret secret = client.secrets().inNamespace(ssh.secretNamespace()).withName(ssh.secretName()).get();
            if (secret == null) {
                return SshAccess.problem("the SSH " + ssh.secretSource() + " does not exist");
            }
            return new SshAccess(Optional.of(SshCredentials.parse(secret.getData(), ssh.secretSource())), Optional.empty());
        } catch (IllegalArgumentException e) {
            return SshAccess.problem(e.getMessage());
        } catch (KubernetesClientException e) {
            return SshAccess.problem("cannot read the SSH " + ssh.secretSource() + ": " + StatusText.apiReason(e));
        }
    }
}

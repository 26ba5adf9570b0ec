package io.k8slab.lab.cluster;

import java.time.Duration;
import java.util.Optional;

import io.k8slab.lab.api.v1alpha1.HostKeyTrust;
import io.k8slab.lab.api.v1alpha1.JoinSettings;
import io.k8slab.lab.api.v1alpha1.SecretReference;
import io.k8slab.lab.api.v1alpha1.SshSettings;
import io.k8slab.lab.kube.GoDurations;

/**
 * The join settings with the schema's defaults filled in: the API server applies defaults only inside objects
 * that are present, so a spec without {@code join} (or without {@code join.ssh}) arrives with nulls. Pure.
 */
record EffectiveJoin(Duration tokenTTL, int parallelism, Optional<Ssh> ssh) {

    static final Duration DEFAULT_TOKEN_TTL = GoDurations.parse(JoinSettings.DEFAULT_TOKEN_TTL).orElseThrow();
    static final int DEFAULT_PARALLELISM = Integer.parseInt(JoinSettings.DEFAULT_PARALLELISM);
    static final int DEFAULT_SSH_PORT = Integer.parseInt(SshSettings.DEFAULT_PORT);
    static final HostKeyTrust DEFAULT_HOST_KEY_POLICY = HostKeyTrust.valueOf(SshSettings.DEFAULT_HOST_KEY_POLICY);

    /** Where the SSH Secret is and how to log in. */
    record Ssh(String user, int port, String secretNamespace, String secretName, boolean trustOnFirstUse) {
        String secretSource() {
            return "Secret " + secretNamespace + "/" + secretName;
        }
    }

    static EffectiveJoin of(JoinSettings join) {
        if (join == null) {
            return new EffectiveJoin(DEFAULT_TOKEN_TTL, DEFAULT_PARALLELISM, Optional.empty());
        }
        Duration ttl = Optional.ofNullable(join.tokenTTL).flatMap(GoDurations::parse).orElse(DEFAULT_TOKEN_TTL);
        int parallelism = join.parallelism == null ? DEFAULT_PARALLELISM : join.parallelism;
        Optional<Ssh> ssh = Optional.ofNullable(join.ssh).filter(s -> s.secretRef != null && s.secretRef.name != null)
                .map(s -> new Ssh(s.user == null ? SshSettings.DEFAULT_USER : s.user,
                        s.port == null ? DEFAULT_SSH_PORT : s.port,
                        s.secretRef.namespace == null ? SecretReference.DEFAULT_NAMESPACE : s.secretRef.namespace,
                        s.secretRef.name,
                        Optional.ofNullable(s.hostKeyPolicy).orElse(DEFAULT_HOST_KEY_POLICY) == HostKeyTrust.TrustOnFirstUse));
        return new EffectiveJoin(ttl, parallelism, ssh);
    }
}

package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.k8slab.lab.api.v1alpha1.HostKeyTrust;
import io.k8slab.lab.api.v1alpha1.JoinSettings;
import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.SecretReference;
import io.k8slab.lab.api.v1alpha1.SshSettings;

class EffectiveJoinTest {

    @Test
    void defaultsWhatTheApiServerDidNot() {
        EffectiveJoin none = EffectiveJoin.of(null);
        assertThat(none.tokenTTL()).isEqualTo(Duration.ofMinutes(30));
        assertThat(none.parallelism()).isEqualTo(3);
        assertThat(none.ssh()).isEmpty();

        JoinSettings join = new JoinSettings();
        join.tokenTTL = "1h30m";
        join.ssh = new SshSettings();
        join.ssh.secretRef = new SecretReference();
        join.ssh.secretRef.name = "lab-ssh";
        EffectiveJoin partial = EffectiveJoin.of(join);
        assertThat(partial.tokenTTL()).isEqualTo(Duration.ofMinutes(90));
        assertThat(partial.ssh()).contains(new EffectiveJoin.Ssh("vagrant", 22, "kube-system", "lab-ssh", false));
        assertThat(partial.ssh().orElseThrow().secretSource()).isEqualTo("Secret kube-system/lab-ssh");

        join.ssh.hostKeyPolicy = HostKeyTrust.TrustOnFirstUse;
        assertThat(EffectiveJoin.of(join).ssh().orElseThrow().trustOnFirstUse()).isTrue();
    }

    @Test
    void removalDefaultsWhatTheApiServerDidNot() {
        LabClusterSpec spec = new LabClusterSpec();
        assertThat(EffectiveRemoval.of(spec)).isEqualTo(new EffectiveRemoval(NodeRemovalPolicy.Drain, Duration.ofMinutes(10)));
        spec.nodeRemovalPolicy = NodeRemovalPolicy.Orphan;
        spec.nodeDrainTimeout = "90s";
        assertThat(EffectiveRemoval.of(spec)).isEqualTo(new EffectiveRemoval(NodeRemovalPolicy.Orphan, Duration.ofSeconds(90)));
    }
}

package io.k8slab.lab.cluster;

import java.time.Duration;
import java.util.Optional;

import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.kube.GoDurations;

/** What happens to a node dropped from the spec, with the schema's defaults for a spec the API server did not default. Pure. */
record EffectiveRemoval(NodeRemovalPolicy policy, Duration drainTimeout) {

    static final NodeRemovalPolicy DEFAULT_POLICY = NodeRemovalPolicy.valueOf(LabClusterSpec.DEFAULT_NODE_REMOVAL_POLICY);
    static final Duration DEFAULT_DRAIN_TIMEOUT = GoDurations.parse(LabClusterSpec.DEFAULT_NODE_DRAIN_TIMEOUT).orElseThrow();

    static EffectiveRemoval of(LabClusterSpec spec) {
        return new EffectiveRemoval(Optional.ofNullable(spec.nodeRemovalPolicy).orElse(DEFAULT_POLICY),
                Optional.ofNullable(spec.nodeDrainTimeout).flatMap(GoDurations::parse).orElse(DEFAULT_DRAIN_TIMEOUT));
    }
}

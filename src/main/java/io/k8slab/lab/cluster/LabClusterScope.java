package io.k8slab.lab.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.kube.client.EventRecorder;

/**
 * One reconcile of one LabCluster, like Cluster API's machine scope: what it acts on (the cluster, the client, one
 * instant for every decision, the join and removal settings with their defaults) and what each phase found, which the phases
 * after it and the status aggregator read. A phase sets only its own finding; the defaults say "nothing found".
 */
final class LabClusterScope {

    final LabCluster cluster;
    final String name;
    final KubernetesClient client;
    final EventRecorder events;
    final Instant now;
    final EffectiveJoin settings;
    final EffectiveRemoval removal;
    /** Every Node in the informer's cache ({@link NodeWatch#all}). */
    final List<Node> nodes;

    ObservedNodes observed;
    SshAccess access = SshAccess.NOT_NEEDED;
    Machines machines = Machines.NONE;
    TokenStep token;
    /** The registered spec nodes that could not be labelled, with why. */
    Map<String, String> labelProblems = Map.of();
    /** The status entries of the nodes still being removed. */
    List<NodeStatus> removals = List.of();

    LabClusterScope(LabCluster cluster, Context<LabCluster> context, Instant now, NodeWatch nodeWatch) {
        this.cluster = cluster;
        this.name = cluster.getMetadata().getName();
        this.client = context.getClient();
        this.events = new EventRecorder(client);
        this.now = now;
        this.settings = EffectiveJoin.of(cluster.getSpec().join);
        this.removal = EffectiveRemoval.of(cluster.getSpec());
        this.nodes = nodeWatch.all(context);
    }

    LabClusterSpec spec() {
        return cluster.getSpec();
    }

    Long generation() {
        return cluster.getMetadata().getGeneration();
    }
}

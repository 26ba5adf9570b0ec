package io.k8slab.lab.cluster;

import java.util.List;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.api.v1alpha1.LabCluster;

/**
 * The LabClusters' Node informer, registered at the first reconcile, not at start: an operator with no LabCluster
 * holds neither a Node cache nor the model classes and deserializers it needs (issue 13's idle footprint). Every
 * Node event concerns every LabCluster: a lab has one or a few, and nodes are matched by name.
 */
final class NodeWatch {

    private volatile InformerEventSource<Node, LabCluster> source;

    /**
     * Every Node in the informer's cache, the informer registered now if this is the first read (that blocks until
     * it has synced). Not {@code getSecondaryResources}: that index only links Nodes whose events arrived while this
     * LabCluster existed, and the control-plane Node is usually older than it.
     */
    List<Node> all(Context<LabCluster> context) {
        InformerEventSource<Node, LabCluster> nodes = source;
        return (nodes == null ? register(context) : nodes).list(node -> true).toList();
    }

    @SuppressWarnings("unchecked")
    private synchronized InformerEventSource<Node, LabCluster> register(Context<LabCluster> context) {
        if (source == null) {
            var retriever = context.eventSourceRetriever();
            EventSourceContext<LabCluster> sources = retriever.eventSourceContextForDynamicRegistration();
            var configuration = InformerEventSourceConfiguration.from(Node.class, LabCluster.class)
                    .withSecondaryToPrimaryMapper(node -> sources.getPrimaryCache().list()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                    .build();
            source = (InformerEventSource<Node, LabCluster>) retriever.dynamicallyRegisterEventSource(new InformerEventSource<>(configuration, sources));
        }
        return source;
    }
}

package io.k8slab.lab.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.k8slab.lab.nodes.NodeLabeler;

/** Applies the owned labels to every registered spec node; what it could not label goes to the scope, with why. */
final class LabelNodes implements LabClusterPhase {

    private static final Logger LOG = Logger.getLogger(LabelNodes.class);

    private final NodeLabeler labeler;

    LabelNodes(NodeLabeler labeler) {
        this.labeler = labeler;
    }

    @Override
    public String name() {
        return "label the nodes";
    }

    @Override
    public void run(LabClusterScope scope) {
        String name = scope.name;
        List<NodeLabeler.Labelling> labellings = scope.spec().nodes.stream()
                .filter(node -> scope.observed.registered().containsKey(node.name))
                .map(node -> new NodeLabeler.Labelling(scope.observed.registered().get(node.name), NodeLabels.owned(node, name)))
                .toList();
        NodeLabeler.Result result = labeler.applyAll(scope.client, labellings);
        if (!result.written().isEmpty()) {
            LOG.infof("LabCluster %s: labelled %s", name, result.written().size() <= 10 ? String.join(", ", result.written())
                    : result.written().size() + " nodes");
        }
        Map<String, String> problems = new HashMap<>();
        result.failed().forEach((node, e) -> problems.put(node, "cannot label the Node: " + StatusText.apiReason(e)));
        scope.labelProblems = problems;
    }
}

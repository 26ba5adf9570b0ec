package io.k8slab.lab.metallb;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Which existing objects the operator may write: those it created (its managed-by label) and those a person
 * handed over with the adopt annotation. Anything else with the same name (CoreDNS's ConfigMap, someone's
 * {@code controller} Deployment) is left exactly as it is and reported as {@link #NOT_OWNED}.
 */
public final class Ownership {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "lab-operator";
    /** Set to "true" on an existing object to let the operator take it over (it then adds its label). */
    public static final String ADOPT_ANNOTATION = "lab.k8slab.io/adopt";
    public static final String NOT_OWNED = "NotOwned";

    private Ownership() {
    }

    /** Whether the operator may write over this live object; an absent one ({@code null}) may be created. Pure. */
    public static boolean mayWrite(HasMetadata live) {
        if (live == null) {
            return true;
        }
        Map<String, String> labels = live.getMetadata().getLabels();
        Map<String, String> annotations = live.getMetadata().getAnnotations();
        return labels != null && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
                || annotations != null && "true".equals(annotations.get(ADOPT_ANNOTATION));
    }

    /** {@code Kind namespace/name}, as messages name objects. */
    public static String describe(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return object.getKind() + " " + (namespace == null ? "" : namespace + "/") + object.getMetadata().getName();
    }

    /** The message for objects the operator would have to write but does not own. */
    public static String message(List<String> objects) {
        return String.join(", ", objects) + (objects.size() == 1 ? " exists and is" : " exist and are") + " not managed by "
                + MANAGED_BY + " (label " + MANAGED_BY_LABEL + "=" + MANAGED_BY + "): nothing was changed. Point spec.metallb "
                + "elsewhere, or annotate " + (objects.size() == 1 ? "it" : "them") + " " + ADOPT_ANNOTATION
                + "=true to let the operator take " + (objects.size() == 1 ? "it" : "them") + " over";
    }
}

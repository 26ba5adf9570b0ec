package io.k8slab.lab.metallb.apply;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GroupVersionKindPlural;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;

/**
 * The metallb.io resources MetalLB v0.13 and later read their configuration from, in MetalLB's namespace: one
 * {@link CrdDependent} per kind the renderer produces, shared by every reconcile. Their informers are
 * registered with the controller by the first reconcile that needs them, not at start (an operator configuring no
 * MetalLB by CRDs holds no such cache), and only once the API server serves every kind: until then each need asks
 * the API server's discovery again and is refused with the missing CRDs named.
 */
public final class CrdDependents {

    private static final Logger LOG = Logger.getLogger(CrdDependents.class);
    private static final List<GroupVersionKind> KINDS = List.of(
            new GroupVersionKind("metallb.io", "v1beta2", "BGPPeer"),
            new GroupVersionKind("metallb.io", "v1beta1", "IPAddressPool"),
            new GroupVersionKind("metallb.io", "v1beta1", "BGPAdvertisement"),
            new GroupVersionKind("metallb.io", "v1beta1", "L2Advertisement"));

    private final String namespace;
    /** Made with their informers: until a pool is configured by CRDs, not even JOSDK's dependent classes are loaded. */
    private volatile List<CrdDependent> dependents;

    /** For MetalLB's namespace, the one the operator may write in. */
    public CrdDependents(String namespace) {
        this.namespace = namespace;
    }

    /**
     * The dependents in the renderer's kind order, their informers registered now if this is the first need (that
     * blocks until they have synced).
     *
     * @throws MetalLbCrdsMissingException when the API server does not serve every kind
     */
    List<CrdDependent> watched(Context<BgpPeerPool> context) {
        List<CrdDependent> watched = dependents;
        return watched != null ? watched : register(context);
    }

    private synchronized List<CrdDependent> register(Context<BgpPeerPool> context) {
        if (dependents != null) {
            return dependents;
        }
        List<String> missing = missing(context.getClient());
        if (!missing.isEmpty()) {
            throw new MetalLbCrdsMissingException(missing);
        }
        List<CrdDependent> made = KINDS.stream().map(kind -> new CrdDependent(kind, namespace)).toList();
        EventSourceContext<BgpPeerPool> sources = context.eventSourceRetriever().eventSourceContextForDynamicRegistration();
        try {
            for (CrdDependent dependent : made) {
                context.eventSourceRetriever().dynamicallyRegisterEventSource(dependent.eventSource(sources).orElseThrow());
            }
        } catch (RuntimeException e) {
            // No source registered but not started outlives the failure: the next need starts over.
            made.forEach(dependent -> context.eventSourceRetriever().dynamicallyDeRegisterEventSource(dependent.name()));
            throw e;
        }
        dependents = made;
        LOG.infof("watching %s for the BgpPeerPools", made.stream().map(CrdDependent::name).collect(Collectors.joining(", ")));
        return made;
    }

    /** The kinds the API server's discovery does not list, as CRD names with the version: one request per API version. */
    private static List<String> missing(KubernetesClient client) {
        Map<String, Set<String>> served = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (GroupVersionKind kind : KINDS) {
            if (!served.computeIfAbsent(kind.apiVersion(), version -> kinds(client.getApiResources(version))).contains(kind.getKind())) {
                missing.add(GroupVersionKindPlural.from(kind).getPluralOrDefault() + "." + kind.getGroup() + " (" + kind.getVersion() + ")");
            }
        }
        return missing;
    }

    private static Set<String> kinds(APIResourceList resources) {
        return resources == null ? Set.of() : resources.getResources().stream().map(APIResource::getKind).collect(Collectors.toSet());
    }
}

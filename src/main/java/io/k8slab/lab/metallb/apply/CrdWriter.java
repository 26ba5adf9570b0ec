package io.k8slab.lab.metallb.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.Subset;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.ConfigMapRenderer;
import io.k8slab.lab.metallb.CrdRenderer;
import io.k8slab.lab.metallb.MetalLbModel;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.Ownership;

/**
 * MetalLB v0.13 and later: each BgpPeerPool owns the metallb.io resources rendered from it (labelled
 * {@link CrdRenderer#OWNER_LABEL}). Accepting a pool applies what differs and prunes what it no longer
 * renders; an invalid pool's resources are left exactly as they are, which is its last valid configuration. A
 * resource of the same name the operator does not own ({@link Ownership}) stops the write: nothing is changed.
 */
public final class CrdWriter implements ConfigWriter {

    /** The kinds the renderer produces, as apiVersion and kind. */
    private static final List<String[]> KINDS = List.of(
            new String[] { "metallb.io/v1beta2", "BGPPeer" },
            new String[] { "metallb.io/v1beta1", "IPAddressPool" },
            new String[] { "metallb.io/v1beta1", "BGPAdvertisement" },
            new String[] { "metallb.io/v1beta1", "L2Advertisement" });

    private final KubernetesClient client;
    private final ResolvedTarget target;

    public CrdWriter(KubernetesClient client, ResolvedTarget target) {
        this.client = client;
        this.target = target;
    }

    /** The other pools for the same target that were last found valid: their resources are what is in force. */
    @Override
    public List<BgpPeerPool> othersInForce(BgpPeerPool pool) {
        return client.resources(BgpPeerPool.class).list().getItems().stream()
                .filter(other -> !other.getMetadata().getName().equals(pool.getMetadata().getName()))
                .filter(other -> ResolvedTarget.of(other.getSpec().metallb).equals(target))
                .filter(other -> other.getStatus() != null && Conditions.isTrue(other.getStatus().conditions, BgpPeerPoolConditions.VALID))
                .toList();
    }

    /** The resources hold no copy of the spec they came from. */
    @Override
    public Optional<BgpPeerPool> lastAccepted(BgpPeerPool pool) {
        return Optional.empty();
    }

    @Override
    public Outcome accept(BgpPeerPool pool) {
        // Rendered with the pools in force so that a router shared by several pools becomes one BGPPeer (owned by
        // the first pool by name), then cut down to what this pool owns.
        List<BgpPeerPool> pools = new ArrayList<>(othersInForce(pool));
        pools.add(pool);
        List<GenericKubernetesResource> desired = CrdRenderer.render(MetalLbModel.of(pools)).stream()
                .filter(r -> pool.getMetadata().getName().equals(r.getMetadata().getLabels().get(CrdRenderer.OWNER_LABEL)))
                .toList();
        List<GenericKubernetesResource> live = desired.stream().map(resource -> client.resource(resource).get()).toList();
        List<String> notOwned = live.stream().filter(found -> !owned(found, pool)).map(Ownership::describe).toList();
        if (!notOwned.isEmpty()) {
            throw new NotOwnedException(notOwned);
        }
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < desired.size(); i++) {
            GenericKubernetesResource resource = desired.get(i);
            JsonNode wanted = Serialization.jsonMapper().valueToTree(resource);
            if (live.get(i) == null || !Subset.contains(Serialization.jsonMapper().valueToTree(live.get(i)), wanted)) {
                try {
                    client.resource(resource).fieldManager(MetalLbInstallation.FIELD_MANAGER).forceConflicts().serverSideApply();
                } catch (KubernetesClientException e) {
                    if (WebhookNotReadyException.isWebhookCallFailure(e)) {
                        throw new WebhookNotReadyException(resource.getKind() + " " + target.namespace() + "/" + resource.getMetadata().getName(), e);
                    }
                    throw e;
                }
                writes.add(new Write(describe(resource, live.get(i) == null ? "created" : "updated"), false));
            }
        }
        Set<String> wantedKeys = desired.stream().map(CrdWriter::key).collect(Collectors.toSet());
        writes.addAll(prune(pool, wantedKeys));
        return new Outcome(writes, hash(desired), true);
    }

    @Override
    public Outcome keep(BgpPeerPool pool) {
        List<GenericKubernetesResource> current = ownedResources(pool);
        return new Outcome(List.of(), hash(current), !current.isEmpty());
    }

    @Override
    public Outcome remove(BgpPeerPool pool) {
        return new Outcome(prune(pool, Set.of()), hash(List.of()), false);
    }

    private List<Write> prune(BgpPeerPool pool, Set<String> keep) {
        List<Write> writes = new ArrayList<>();
        for (GenericKubernetesResource resource : ownedResources(pool)) {
            if (!keep.contains(key(resource))) {
                client.resource(resource).delete();
                writes.add(new Write(describe(resource, "deleted"), false));
            }
        }
        return writes;
    }

    private List<GenericKubernetesResource> ownedResources(BgpPeerPool pool) {
        List<GenericKubernetesResource> owned = new ArrayList<>();
        for (String[] kind : KINDS) {
            owned.addAll(client.genericKubernetesResources(kind[0], kind[1]).inNamespace(target.namespace())
                    .withLabel(CrdRenderer.OWNER_LABEL, pool.getMetadata().getName()).list().getItems());
        }
        return owned;
    }

    /** Absent, the operator's ({@link Ownership}), or rendered from this pool by an operator that did not label it yet. */
    private static boolean owned(GenericKubernetesResource live, BgpPeerPool pool) {
        return Ownership.mayWrite(live) || live.getMetadata().getLabels() != null
                && pool.getMetadata().getName().equals(live.getMetadata().getLabels().get(CrdRenderer.OWNER_LABEL));
    }

    private static String key(GenericKubernetesResource resource) {
        return resource.getKind() + "/" + resource.getMetadata().getName();
    }

    private String describe(GenericKubernetesResource resource, String verb) {
        return resource.getKind() + " " + target.namespace() + "/" + resource.getMetadata().getName() + " " + verb;
    }

    private static String hash(List<GenericKubernetesResource> resources) {
        StringBuilder text = new StringBuilder();
        resources.stream().sorted(java.util.Comparator.comparing(CrdWriter::key))
                .forEach(r -> text.append(key(r)).append(Serialization.asJson(r.getAdditionalProperties().get("spec"))).append('\n'));
        return ConfigMapRenderer.hash(text.toString());
    }
}

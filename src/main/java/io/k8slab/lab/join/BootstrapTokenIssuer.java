package io.k8slab.lab.join;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Issues, finds and deletes kubeadm bootstrap tokens through the API, the way {@code kubeadm token create} does:
 * a Secret {@code kube-system/bootstrap-token-<id>} of type {@code bootstrap.kubernetes.io/token}. Labels tie each
 * token to its LabCluster, so an operator that restarts finds its token instead of leaking a new one.
 */
public final class BootstrapTokenIssuer {

    public static final String NAMESPACE = "kube-system";
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    /** The group kubeadm's RBAC (init phase bootstrap-token) lets join nodes and fetch kubeadm-config. */
    public static final String NODE_BOOTSTRAP_GROUP = "system:bootstrappers:kubeadm:default-node-token";
    public static final String CLUSTER_LABEL = "lab.k8slab.io/cluster";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "lab-operator";

    private final KubernetesClient client;
    private final SecureRandom random;

    public BootstrapTokenIssuer(KubernetesClient client, SecureRandom random) {
        this.client = client;
        this.random = random;
    }

    /** The tokens issued for the named LabCluster that still parse; whatever else carries the label is not ours to use. */
    public List<IssuedToken> find(String cluster) {
        return client.secrets().inNamespace(NAMESPACE)
                .withLabel(CLUSTER_LABEL, cluster)
                .withLabel(MANAGED_BY_LABEL, MANAGED_BY)
                .list().getItems().stream()
                .filter(s -> SECRET_TYPE.equals(s.getType()))
                .flatMap(s -> read(s).stream())
                .toList();
    }

    public IssuedToken issue(HasMetadata owner, Duration ttl, Instant now) {
        BootstrapToken token = BootstrapToken.generate(random);
        Instant expiration = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        client.secrets().inNamespace(NAMESPACE).resource(secret(token, owner, expiration)).create();
        return new IssuedToken(token, expiration, owner.getMetadata().getUid());
    }

    public void delete(IssuedToken token) {
        client.secrets().inNamespace(NAMESPACE).withName(token.token().secretName()).delete();
    }

    /** The Secret for {@code token}, as kubeadm writes it, owned by (and garbage-collected with) {@code owner}. */
    static Secret secret(BootstrapToken token, HasMetadata owner, Instant expiration) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("description", "Issued by lab-operator to join the workers of LabCluster " + owner.getMetadata().getName());
        data.put("token-id", token.id());
        data.put("token-secret", token.secret());
        data.put("expiration", expiration.toString());
        data.put("usage-bootstrap-authentication", "true");
        data.put("usage-bootstrap-signing", "true");
        data.put("auth-extra-groups", NODE_BOOTSTRAP_GROUP);
        OwnerReference ownerReference = new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .build();
        return new SecretBuilder()
                .withNewMetadata()
                .withName(token.secretName()).withNamespace(NAMESPACE)
                .addToLabels(CLUSTER_LABEL, owner.getMetadata().getName())
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                .withOwnerReferences(ownerReference)
                .endMetadata()
                .withType(SECRET_TYPE)
                .withStringData(data)
                .build();
    }

    /** The token a Secret holds, or empty when it is not a well-formed bootstrap token with an expiration. */
    static Optional<IssuedToken> read(Secret secret) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Optional<BootstrapToken> token = BootstrapToken.of(decode(data.get("token-id")), decode(data.get("token-secret")));
        Optional<Instant> expiration = parseInstant(decode(data.get("expiration")));
        String ownerUid = secret.getMetadata().getOwnerReferences() == null ? "" : secret.getMetadata().getOwnerReferences()
                .stream().map(OwnerReference::getUid).findFirst().orElse("");
        return token.isPresent() && expiration.isPresent()
                ? Optional.of(new IssuedToken(token.get(), expiration.get(), ownerUid))
                : Optional.empty();
    }

    private static String decode(String base64) {
        return base64 == null ? null : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static Optional<Instant> parseInstant(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(java.time.OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}

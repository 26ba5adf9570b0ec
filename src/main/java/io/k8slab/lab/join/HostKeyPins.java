package io.k8slab.lab.join;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The host keys a LabCluster pinned on first use, in a Secret the operator owns: {@code kube-system/lab-host-keys-<cluster>},
 * one key per machine, {@code <node>_<address>} (neither a node name nor an IPv4 address holds '_'), the fingerprint
 * as value. Unlike status it survives a status edit, a recreated LabCluster (no owner reference) and a node removed
 * and added again: a pin is only ever added, never replaced or deleted; a person deletes one to accept a rebuilt
 * machine.
 */
public final class HostKeyPins {

    public static final String LABEL = "lab.k8slab.io/host-keys-of";
    private static final int MAX_KEY = 253;

    private final KubernetesClient client;
    private final String cluster;

    public HostKeyPins(KubernetesClient client, String cluster) {
        this.client = client;
        this.cluster = cluster;
    }

    public static String secretName(String cluster) {
        return "lab-host-keys-" + cluster;
    }

    /** Where the pins are, for messages. */
    public String source(String node, String address) {
        return "Secret " + BootstrapTokenIssuer.NAMESPACE + "/" + secretName(cluster) + ", key " + key(node, address);
    }

    static String key(String node, String address) {
        return node + "_" + address;
    }

    /** Every pin now, by key; empty when the Secret does not exist yet. */
    public Map<String, String> read() {
        Secret secret = secret();
        Map<String, String> pins = new HashMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((k, v) -> pins.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        return pins;
    }

    public static Optional<String> pin(Map<String, String> pins, String node, String address) {
        return Optional.ofNullable(pins.get(key(node, address)));
    }

    /**
     * Pins {@code fingerprint} for the machine. Never replaces a different pin; concurrent first uses of other
     * machines retry on the conflict. Throws {@link IllegalStateException} saying why when the pin cannot be written:
     * the caller must then not trust the key.
     */
    public void record(String node, String address, String fingerprint) {
        String key = key(node, address);
        if (key.length() > MAX_KEY) {
            throw new IllegalStateException("the pin key " + key + " is longer than a Secret key may be (" + MAX_KEY + ")");
        }
        String value = Base64.getEncoder().encodeToString(fingerprint.getBytes(StandardCharsets.UTF_8));
        try {
            for (int attempt = 0; ; attempt++) {
                Secret secret = secret();
                try {
                    if (secret == null) {
                        client.secrets().inNamespace(BootstrapTokenIssuer.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                                .withName(secretName(cluster)).withNamespace(BootstrapTokenIssuer.NAMESPACE)
                                .addToLabels(LABEL, cluster)
                                .addToLabels(BootstrapTokenIssuer.MANAGED_BY_LABEL, BootstrapTokenIssuer.MANAGED_BY)
                                .endMetadata().withType("Opaque").addToData(key, value).build()).create();
                        return;
                    }
                    Map<String, String> data = secret.getData() == null ? new HashMap<>() : new HashMap<>(secret.getData());
                    String existing = data.get(key);
                    if (existing != null) {
                        if (existing.equals(value)) {
                            return;
                        }
                        throw new IllegalStateException(source(node, address) + " already pins another key");
                    }
                    data.put(key, value);
                    secret.setData(data);
                    client.secrets().inNamespace(BootstrapTokenIssuer.NAMESPACE).resource(secret).update();
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt >= 5) {
                        throw e;
                    }
                }
            }
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("cannot write " + source(node, address) + ": "
                    + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : "HTTP " + e.getCode()));
        }
    }

    private Secret secret() {
        return client.secrets().inNamespace(BootstrapTokenIssuer.NAMESPACE).withName(secretName(cluster)).get();
    }
}

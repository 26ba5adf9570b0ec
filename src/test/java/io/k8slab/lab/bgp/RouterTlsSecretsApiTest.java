package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.api.v1alpha1.SecretReference;
import io.k8slab.lab.router.RouterTls;
import io.k8slab.lab.router.RouterTlsException;
import io.k8slab.lab.testing.OpenSsl;
import io.k8slab.lab.testing.SettableClock;
import io.k8slab.lab.testing.TestCluster;

/**
 * The routers' TLS Secrets on the test API server: read once a minute while the router answers, again at once after
 * it did not, and a missing Secret is asked for again after twenty seconds.
 */
class RouterTlsSecretsApiTest {

    private final KubernetesClient client = TestCluster.get().client();
    private final String name = "rt-01-api-" + UUID.randomUUID().toString().substring(0, 8);
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final RouterTlsSecrets secrets = new RouterTlsSecrets(clock);

    @AfterEach
    void deleteSecret() {
        client.secrets().inNamespace("kube-system").withName(name).delete();
    }

    @Test
    void aSecretIsReadAgainOnlyAfterAMinuteOrAfterTheRouterFailed() throws Exception {
        RouterAPI router = router();
        String first = writeSecret();
        assertThat(secrets.read(client, router)).map(RouterTls::version).contains(first);

        String second = writeSecret();
        clock.advance(Duration.ofSeconds(50));
        assertThat(secrets.read(client, router)).as("within the minute: the certificate read before").map(RouterTls::version).contains(first);

        secrets.forget(router);
        assertThat(secrets.read(client, router)).as("after the router could not be asked: read again").map(RouterTls::version).contains(second);

        String third = writeSecret();
        clock.advance(RouterTlsSecrets.REREAD);
        assertThat(secrets.read(client, router)).as("a minute later: read again").map(RouterTls::version).contains(third);
    }

    @Test
    void aMissingSecretIsAskedForAgainAfterTwentySeconds() throws Exception {
        RouterAPI router = router();
        assertThatThrownBy(() -> secrets.read(client, router)).isInstanceOf(RouterTlsException.class).hasMessageContaining("not found");

        String written = writeSecret();
        clock.advance(RouterTlsSecrets.FAILED_REREAD.minusSeconds(1));
        secrets.forget(router);
        assertThatThrownBy(() -> secrets.read(client, router)).as("within the wait, even after a TLS failure")
                .isInstanceOf(RouterTlsException.class).hasMessageContaining("not found");

        clock.advance(Duration.ofSeconds(1));
        assertThat(secrets.read(client, router)).map(RouterTls::version).contains(written);
    }

    @Test
    void plaintextReadsNothing() {
        RouterAPI router = new RouterAPI();
        router.address = "127.0.0.1:50051";
        assertThat(secrets.read(client, router)).isEmpty();
    }

    private RouterAPI router() {
        RouterAPI router = new RouterAPI();
        router.address = "127.0.0.1:50051";
        router.tlsSecretRef = new SecretReference();
        router.tlsSecretRef.name = name;
        return router;
    }

    /** A fresh client certificate in the Secret; its resourceVersion. */
    private String writeSecret() throws Exception {
        Path dir = Files.createTempDirectory("router-tls");
        OpenSsl certificates = new OpenSsl(dir).ca("ca", "router CA").signed("client", "/CN=lab-operator", "ca", null);
        Base64.Encoder base64 = Base64.getEncoder();
        return client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(RouterTls.CERTIFICATE, base64.encodeToString(certificates.read("client.crt")),
                        RouterTls.PRIVATE_KEY, base64.encodeToString(certificates.read("client.key")),
                        RouterTls.CA, base64.encodeToString(certificates.read("ca.crt"))))
                .build()).serverSideApply().getMetadata().getResourceVersion();
    }
}

package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.testing.TestCluster;

/**
 * The issued token against the real API server (started with --enable-bootstrap-token-auth): it authenticates as
 * a joining node and may read kubeadm-config, a wrong secret is rejected, and it stops working once deleted.
 */
class BootstrapTokenIssuerTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private final BootstrapTokenIssuer issuer = new BootstrapTokenIssuer(client, new SecureRandom());
    /** Any object can own a token; a ConfigMap stands in for a LabCluster here. */
    private static HasMetadata owner;

    @BeforeAll
    static void prepare() {
        KubeadmInit.prepare();
        owner = client.resource(new ConfigMapBuilder().withNewMetadata().withName("issuer-test").withNamespace("default").endMetadata()
                .build()).serverSideApply();
    }

    @AfterEach
    void deleteTokens() {
        issuer.find("issuer-test").forEach(issuer::delete);
    }

    @Test
    void anIssuedTokenAuthenticatesAsAJoiningNodeAndAWrongOneIsRejected() throws Exception {
        Instant now = Instant.now();
        IssuedToken issued = issuer.issue(owner, Duration.ofMinutes(30), now);

        assertThat(issued.expiration()).isEqualTo(now.plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS));
        assertThat(read(issued.token().value())).as("the issued token").isEqualTo(200);
        assertThat(read(issued.token().id() + ".0000000000000000")).as("its id with a wrong secret").isEqualTo(401);

        issuer.delete(issued);
        // the API server caches a successful token authentication for 10 s
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(issued.token().value())).as("a deleted token").isEqualTo(401));
    }

    @Test
    void tokensAreFoundAgainByTheirLabCluster() {
        IssuedToken first = issuer.issue(owner, Duration.ofMinutes(30), Instant.now());
        IssuedToken second = issuer.issue(owner, Duration.ofMinutes(10), Instant.now());

        assertThat(issuer.find("issuer-test")).containsExactlyInAnyOrder(first, second)
                .allSatisfy(t -> assertThat(t.ownerUid()).isEqualTo(owner.getMetadata().getUid()));
        assertThat(issuer.find("another-labcluster")).isEmpty();
    }

    private static int read(String token) throws KubeadmEmulator.JoinError {
        return KubeadmEmulator.readKubeadmConfig(KubeadmInit.endpoint(), token, KubeadmInit.ca());
    }
}

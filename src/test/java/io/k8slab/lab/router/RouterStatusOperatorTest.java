package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.join.LogCapture;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.router.gobgp.GobgpRouterClient;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LoadBalancers;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * The BgpPeerPool reconciler reporting what rt-01 sees, with real gobgpd processes in network namespaces
 * ({@link LabNetwork}) and the Services, Nodes and speaker pods in the real API server: the reference lab's
 * step 5 without logging in to rt-01. The operator reaches rt-01's API over TLS with the client certificate of the
 * Secret {@code kube-system/rt-01-api-test}, as the lab's BgpPeerPool names {@code kube-system/rt-01-api}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterStatusOperatorTest {

    static final List<String> WORKERS = List.of("172.17.0.21", "172.17.0.22", "172.17.0.23");
    static final String FOURTH = "172.17.0.24";
    static final String SERVICE_IP = "172.17.254.1";
    static final String PREFIX = SERVICE_IP + "/32";
    static final String MLB = TestCluster.METALLB_NAMESPACE;
    static final String TLS_SECRET = "rt-01-api-test";

    final KubernetesClient client = TestCluster.get().client();
    LabNetwork lab;
    LocalOperator operator;

    @BeforeAll
    void startLab() {
        lab = LabNetwork.start(List.of(WORKERS.get(0), WORKERS.get(1), WORKERS.get(2), FOURTH), WORKERS);
        lab.workers().forEach(worker -> worker.announce(PREFIX));

        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(MLB).endMetadata().build()).serverSideApply();
        for (int i = 0; i < WORKERS.size(); i++) {
            registerSpeakerNode(i + 1, WORKERS.get(i));
        }
        LoadBalancers.assigned(client, "default", "nginx", SERVICE_IP);

        writeTlsSecret(lab.operatorSecretData());
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), Duration.ofSeconds(2))));
        client.resource(pool(router -> {
            router.put("managed", false);
            router.putObject("tlsSecretRef").put("name", TLS_SECRET).put("namespace", "kube-system");
        })).create();
    }

    @AfterAll
    void stopLab() {
        if (operator != null) {
            operator.close();
        }
        client.resources(BgpPeerPool.class).withName("routing").delete();
        client.services().inNamespace("default").withName("nginx").delete();
        client.secrets().inNamespace("kube-system").withName(TLS_SECRET).delete();
        client.pods().inNamespace(MLB).delete();
        for (int i = 1; i <= 4; i++) {
            client.nodes().withName(nodeName(i)).delete();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void referencePictureIsConvergedThroughEveryWorker() {
        // Sessions are read before routes in one survey: a session that comes up between the two reads shows in the
        // routes first, so the picture is awaited as a whole.
        BgpPeerPool pool = awaitStatus(p -> {
            assertThat(p.getStatus().routes).isEqualTo("1/1");
            assertThat(p.getStatus().peers).isEqualTo("3/3");
        });

        RouteStatus route = pool.getStatus().routeStatuses.get(0);
        assertThat(route.prefix).isEqualTo(PREFIX);
        assertThat(route.service).isEqualTo("default/nginx");
        assertThat(route.state).isEqualTo("Converged");
        assertThat(route.observedNextHops).containsExactlyInAnyOrderElementsOf(WORKERS);
        assertThat(pool.getStatus().peerStatuses.get(0).sessions).extracting(s -> s.state).containsOnly("Established");
        assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolConditions.PEERS_ESTABLISHED)).isTrue();
        assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolConditions.ROUTES_CONVERGED)).isTrue();
    }

    @Test
    @Order(2)
    void stoppedSpeakerMakesTheRoutePartialUntilItIsBack() {
        lab.worker(WORKERS.get(1)).stop();

        BgpPeerPool pool = awaitStatus(p -> assertThat(p.getStatus().routeStatuses.get(0).state).isEqualTo("Partial"));
        RouteStatus route = pool.getStatus().routeStatuses.get(0);
        assertThat(route.expectedNextHops).contains(WORKERS.get(1));
        assertThat(route.observedNextHops).doesNotContain(WORKERS.get(1));
        assertThat(pool.getStatus().peers).isEqualTo("2/3");
        assertThat(pool.getStatus().peerStatuses.get(0).sessions).filteredOn(s -> s.address.equals(WORKERS.get(1)))
                .singleElement().satisfies(s -> assertThat(s.state).isNotEqualTo("Established"));

        lab.worker(WORKERS.get(1)).start();
        awaitStatus(p -> assertThat(p.getStatus().routeStatuses.get(0).state).isEqualTo("Converged"));
    }

    @Test
    @Order(3)
    void unreachableRouterIsReportedAndRecovers() {
        lab.router().stop();

        BgpPeerPool pool = awaitStatus(p -> assertThat(Conditions.find(p.getStatus().conditions, BgpPeerPoolConditions.PEERS_ESTABLISHED)
                .orElseThrow().getReason()).isEqualTo("RouterUnreachable"));
        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.ROUTES_CONVERGED).orElseThrow().getStatus())
                .isEqualTo("Unknown");
        assertThat(pool.getStatus().peers).startsWith("?/");

        lab.router().start();
        lab.workers().forEach(worker -> worker.announce(PREFIX));
        awaitStatus(p -> assertThat(p.getStatus().routes).isEqualTo("1/1"));
    }

    @Test
    @Order(4)
    void managedRouterGainsTheFourthWorker() {
        client.resources(BgpPeerPool.class).withName("routing").edit(p -> {
            p.getSpec().peers.get(0).router.managed = true;
            return p;
        });
        registerSpeakerNode(4, FOURTH);

        BgpPeerPool pool = awaitStatus(p -> assertThat(p.getStatus().routeStatuses.get(0).observedNextHops).contains(FOURTH));
        assertThat(pool.getStatus().peers).isEqualTo("4/4");
        assertThat(pool.getStatus().routeStatuses.get(0).state).isEqualTo("Converged");
        try (RouterClient router = GobgpRouterClient.connect(lab.routerApi(), GobgpRouterClient.DEFAULT_DEADLINE, lab.operatorTls())) {
            assertThat(router.listPeers()).filteredOn(peer -> peer.address().equals(FOURTH)).singleElement()
                    .satisfies(peer -> assertThat(NeighborMarker.isManagedBy(peer.description(), "routing")).isTrue());
            assertThat(router.listPeers()).filteredOn(peer -> WORKERS.contains(peer.address()))
                    .as("the hand-configured neighbors are left alone").hasSize(3)
                    .allSatisfy(peer -> assertThat(peer.description()).isEqualTo(LabNetwork.HAND_CONFIGURED));
        }
    }

    @Test
    @Order(5)
    void aRefusedOrMissingClientCertificateIsAClearConditionWithoutSecretsAndRecovers() {
        Map<String, String> intruder = lab.secretData("intruder", "lab-api-ca");
        try (LogCapture logs = new LogCapture()) {
            // A certificate rt-01 does not know.
            writeTlsSecret(intruder);
            BgpPeerPool refused = awaitStatus(p -> assertThat(condition(p, BgpPeerPoolConditions.PEERS_ESTABLISHED).getReason())
                    .isEqualTo("RouterTLSFailed"));
            var established = condition(refused, BgpPeerPoolConditions.PEERS_ESTABLISHED);
            assertThat(established.getStatus()).isEqualTo("Unknown");
            assertThat(established.getMessage()).contains("the TLS handshake failed").contains("kube-system/" + TLS_SECRET);
            assertThat(condition(refused, BgpPeerPoolConditions.ROUTES_CONVERGED).getReason()).isEqualTo("RouterTLSFailed");
            assertThat(condition(refused, BgpPeerPoolConditions.READY).getStatus()).isEqualTo("False");
            System.out.println("router: refused certificate, PeersEstablished: " + established.getMessage());

            // No Secret at all, then one in a namespace the operator may not read.
            client.secrets().inNamespace("kube-system").withName(TLS_SECRET).delete();
            awaitStatus(p -> assertThat(condition(p, BgpPeerPoolConditions.PEERS_ESTABLISHED).getMessage())
                    .contains("TLS Secret kube-system/" + TLS_SECRET + " not found"));
            client.resources(BgpPeerPool.class).withName("routing").edit(p -> {
                p.getSpec().peers.get(0).router.tlsSecretRef.namespace = "default";
                return p;
            });
            BgpPeerPool forbidden = awaitStatus(p -> assertThat(condition(p, BgpPeerPoolConditions.PEERS_ESTABLISHED).getMessage())
                    .contains("cannot read TLS Secret default/" + TLS_SECRET + " (HTTP 403; the operator may read Secrets only in kube-system)"));
            assertThat(condition(forbidden, BgpPeerPoolConditions.PEERS_ESTABLISHED).getReason()).isEqualTo("RouterTLSFailed");

            // Back to the operator's certificate: the same picture as before.
            client.resources(BgpPeerPool.class).withName("routing").edit(p -> {
                p.getSpec().peers.get(0).router.tlsSecretRef.namespace = "kube-system";
                return p;
            });
            writeTlsSecret(lab.operatorSecretData());
            BgpPeerPool recovered = awaitStatus(p -> assertThat(Conditions.isTrue(p.getStatus().conditions,
                    BgpPeerPoolConditions.PEERS_ESTABLISHED)).isTrue());
            assertThat(recovered.getStatus().routes).isEqualTo("1/1");

            logs.close();
            String status = client.getKubernetesSerialization().asYaml(refused.getStatus())
                    + client.getKubernetesSerialization().asYaml(forbidden.getStatus());
            for (String data : List.of(intruder.get("tls.key"), lab.operatorSecretData().get("tls.key"))) {
                String key = new String(java.util.Base64.getDecoder().decode(data));
                String keyBody = key.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();
                assertThat(status).as("status").doesNotContain(keyBody).doesNotContain(data.substring(0, 40));
                assertThat(logs.lines()).as("logs").noneMatch(line -> line.contains(keyBody) || line.contains(data.substring(0, 40)));
            }
            assertThat(status).doesNotContain("PRIVATE KEY");
            assertThat(logs.lines()).as("no stack traces from the reconciler while TLS failed")
                    .noneMatch(line -> line.contains("RouterTlsException") || line.contains("SSLHandshakeException")
                            || line.contains("\tat ") || line.split(" ", 3)[1].equals("ERROR"));
        }
    }

    private void writeTlsSecret(Map<String, String> data) {
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName(TLS_SECRET).endMetadata()
                .withType("kubernetes.io/tls").withData(data).build()).serverSideApply();
    }

    private static io.fabric8.kubernetes.api.model.Condition condition(BgpPeerPool pool, String type) {
        return Conditions.find(pool.getStatus().conditions, type).orElseThrow();
    }

    private BgpPeerPool pool(Consumer<ObjectNode> router) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, "routing", m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("namespace", MLB).put("configMapName", "rt-routing")
                    .put("install", false);
            ObjectNode api = (ObjectNode) m.at("/spec/peers/0/router");
            api.put("address", lab.routerApi());
            router.accept(api);
        }), BgpPeerPool.class);
    }

    /** A Ready node whose MetalLB speaker pod is Ready, as the kubelet and the DaemonSet would leave them. */
    private void registerSpeakerNode(int index, String address) {
        Nodes.registerReady(client, nodeName(index), address, "v1.30.2");
        Nodes.readySpeaker(client, MLB, "speaker-" + index, nodeName(index), address, "metallb/speaker:v0.7.3");
    }

    private static String nodeName(int index) {
        return "k8s-node-0" + index;
    }

    private BgpPeerPool awaitStatus(Consumer<BgpPeerPool> assertion) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            BgpPeerPool pool = client.resources(BgpPeerPool.class).withName("routing").get();
            assertThat(pool.getStatus()).isNotNull();
            assertion.accept(pool);
        });
        return client.resources(BgpPeerPool.class).withName("routing").get();
    }
}

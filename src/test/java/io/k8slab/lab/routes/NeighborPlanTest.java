package io.k8slab.lab.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.router.NeighborConfig;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterPeer;
import io.k8slab.lab.router.RouterRoute;

class NeighborPlanTest {

    static final long MY_ASN = 64522;

    static ExpectedRoutes.Speaker speaker(int n) {
        return new ExpectedRoutes.Speaker(String.format("k8s-node-%02d", n), "172.17.0." + (20 + n));
    }

    static RouterPeer neighbor(int n, long asn, String description) {
        return new RouterPeer("172.17.0." + (20 + n), asn, description, "Established", false, null, 0, 0);
    }

    record Case(String name, List<ExpectedRoutes.Speaker> speakers, List<RouterPeer> current, List<String> add,
            List<String> delete, List<String> untouched, int conflicts) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String mine = "lab-operator:lab";
        return Stream.of(
                new Case("an empty router gets every speaker", List.of(speaker(1), speaker(2)), List.of(),
                        List.of("172.17.0.21", "172.17.0.22"), List.of(), List.of(), 0),
                new Case("in step: nothing to do", List.of(speaker(1)), List.of(neighbor(1, MY_ASN, mine + " k8s-node-01")),
                        List.of(), List.of(), List.of(), 0),
                new Case("a removed node's neighbor goes", List.of(speaker(1)),
                        List.of(neighbor(1, MY_ASN, mine + " k8s-node-01"), neighbor(4, MY_ASN, mine + " k8s-node-04")),
                        List.of(), List.of("172.17.0.24"), List.of(), 0),
                new Case("the reference lab's hand-configured neighbors stay, even for removed nodes", List.of(speaker(1), speaker(4)),
                        List.of(neighbor(1, MY_ASN, "configured by hand"), neighbor(2, MY_ASN, ""), neighbor(3, MY_ASN, "")),
                        List.of("172.17.0.24"), List.of(), List.of("172.17.0.21", "172.17.0.22", "172.17.0.23"), 0),
                new Case("another pool's neighbors stay", List.of(),
                        List.of(neighbor(1, MY_ASN, "lab-operator:other k8s-node-01"), neighbor(2, MY_ASN, "lab-operator:lab2")),
                        List.of(), List.of(), List.of("172.17.0.21", "172.17.0.22"), 0),
                new Case("an own neighbor with a wrong AS is re-created", List.of(speaker(1)),
                        List.of(neighbor(1, 65000, mine)), List.of("172.17.0.21"), List.of("172.17.0.21"), List.of(), 0),
                new Case("a hand-configured neighbor with a wrong AS is a conflict, not a change", List.of(speaker(1)),
                        List.of(neighbor(1, 65000, "by hand")), List.of(), List.of(), List.of("172.17.0.21"), 1),
                new Case("a speaker listed twice is added once", List.of(speaker(1), speaker(1)), List.of(),
                        List.of("172.17.0.21"), List.of(), List.of(), 0),
                new Case("address order, not text order", List.of(speaker(80), speaker(1), speaker(10)), List.of(),
                        List.of("172.17.0.21", "172.17.0.30", "172.17.0.100"), List.of(), List.of(), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plan(Case row) {
        NeighborPlan plan = NeighborPlan.plan("lab", MY_ASN, row.speakers(), row.current());

        assertThat(plan.add()).extracting(NeighborConfig::address).containsExactlyElementsOf(row.add());
        assertThat(plan.add()).allSatisfy(n -> {
            assertThat(n.asn()).isEqualTo(MY_ASN);
            assertThat(n.description()).startsWith("lab-operator:lab k8s-node-");
        });
        assertThat(plan.delete()).containsExactlyElementsOf(row.delete());
        assertThat(plan.untouched()).extracting(RouterPeer::address).containsExactlyElementsOf(row.untouched());
        assertThat(plan.conflicts()).hasSize(row.conflicts());
        assertThat(plan.isEmpty()).isEqualTo(row.add().isEmpty() && row.delete().isEmpty());
    }

    @Test
    void aConflictSaysWhatAndWhy() {
        NeighborPlan plan = NeighborPlan.plan("lab", MY_ASN, List.of(speaker(1)), List.of(neighbor(1, 65000, "by hand")));

        assertThat(plan.conflicts()).containsExactly("neighbor 172.17.0.21 (node k8s-node-01) has AS 65000, not 64522, "
                + "and was not created by lab-operator; left alone");
    }

    @Test
    void applyDeletesBeforeItAdds() {
        List<String> calls = new ArrayList<>();
        RouterClient recorder = new RouterClient() {
            @Override
            public String endpoint() {
                return "recorder";
            }

            @Override
            public List<RouterPeer> listPeers() {
                return List.of();
            }

            @Override
            public List<RouterRoute> listRoutes(java.util.Collection<String> prefixes) {
                return List.of();
            }

            @Override
            public void addPeer(NeighborConfig neighbor) {
                calls.add("add " + neighbor.address() + " " + neighbor.asn() + " " + neighbor.description());
            }

            @Override
            public void deletePeer(String address) {
                calls.add("delete " + address);
            }

            @Override
            public void close() {
            }
        };

        NeighborPlan.plan("lab", MY_ASN, List.of(speaker(1), speaker(2)),
                List.of(neighbor(1, 65000, "lab-operator:lab k8s-node-01"), neighbor(3, MY_ASN, "lab-operator:lab")))
                .apply(recorder);

        assertThat(calls).containsExactly("delete 172.17.0.21", "delete 172.17.0.23",
                "add 172.17.0.21 64522 lab-operator:lab k8s-node-01", "add 172.17.0.22 64522 lab-operator:lab k8s-node-02");
    }
}

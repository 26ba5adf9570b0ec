package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.bgp.BgpPeerPool;
import io.k8slab.lab.bgp.MetalLBTarget;
import io.k8slab.lab.kube.Violation;

/** One installed MetalLB per cluster: the pool "new" (created 12:00) against the pools already there. */
class InstalledElsewhereTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOldestInstallingPoolDecidesTheNamespace(String description, BgpPeerPool pool, List<BgpPeerPool> others, String ownerInMessage) {
        List<BgpPeerPool> all = Stream.concat(Stream.of(pool), others.stream()).toList();
        Optional<Violation> violation = MetalLbInstallation.installedElsewhere(pool, all);
        if (ownerInMessage == null) {
            assertThat(violation).isEmpty();
        } else {
            assertThat(violation).hasValueSatisfying(v -> {
                assertThat(v.field()).isEqualTo("spec.metallb.namespace");
                assertThat(v.reason()).isEqualTo("MetalLBInstalledElsewhere");
                assertThat(v.message()).contains("BgpPeerPool " + ownerInMessage + " installs MetalLB in namespace metallb-system");
            });
        }
    }

    static Stream<Arguments> cases() {
        BgpPeerPool installsElsewhere = pool("new", "12:00", "lab-mlb", true);
        return Stream.of(
                Arguments.of("alone", installsElsewhere, List.of(), null),
                Arguments.of("an older pool installs in the same namespace", pool("new", "12:00", "metallb-system", true),
                        List.of(pool("old", "11:00", "metallb-system", true)), null),
                Arguments.of("an older pool installs elsewhere", installsElsewhere, List.of(pool("old", "11:00", "metallb-system", true)), "old"),
                Arguments.of("the same second: the first by name decides", pool("zeta", "12:00", "lab-mlb", true),
                        List.of(pool("alpha", "12:00", "metallb-system", true)), "alpha"),
                Arguments.of("the older pool installs nothing", installsElsewhere, List.of(pool("old", "11:00", "metallb-system", false)), null),
                Arguments.of("this pool installs nothing", pool("new", "12:00", "lab-mlb", false),
                        List.of(pool("old", "11:00", "metallb-system", true)), null),
                Arguments.of("this pool is the oldest", installsElsewhere, List.of(pool("young", "13:00", "metallb-system", true)), null),
                Arguments.of("the older pool is being deleted", installsElsewhere, List.of(deleting(pool("old", "11:00", "metallb-system", true))), null));
    }

    private static BgpPeerPool pool(String name, String created, String namespace, boolean install) {
        BgpPeerPool pool = ReferenceLab.pool(name, spec -> {
            spec.metallb = new MetalLBTarget();
            spec.metallb.namespace = namespace;
            spec.metallb.install = install;
        });
        pool.getMetadata().setCreationTimestamp("2026-11-25T" + created + ":00Z");
        return pool;
    }

    private static BgpPeerPool deleting(BgpPeerPool pool) {
        pool.getMetadata().setDeletionTimestamp("2026-11-25T12:30:00Z");
        return pool;
    }
}

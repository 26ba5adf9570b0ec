package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.addressPool;
import static io.k8slab.lab.metallb.ReferenceLab.firstPool;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.kube.Violation;

/**
 * The reference pool (my-ip-space, 172.17.254.0/24, here without avoidBuggyIPs) was accepted; a Service holds
 * 172.17.254.10 from it. Each case edits that spec.
 */
class AssignedAddressesTest {

    private static final BgpPeerPool ACCEPTED = pool(s -> {
    });
    private static final List<Service> WEB = List.of(loadBalancer("web", "172.17.254.10"));

    private static List<Violation> check(Consumer<BgpPeerPoolSpec> edit, List<BgpPeerPool> others, List<Service> services) {
        return AssignedAddresses.check(pool(edit), Optional.of(ACCEPTED), others, services);
    }

    private static BgpPeerPool pool(Consumer<BgpPeerPoolSpec> edit) {
        return ReferenceLab.pool("lab", s -> {
            firstPool(s).avoidBuggyIPs = false;
            edit.accept(s);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowed")
    void allowsSpecsThatKeepEveryAssignedAddress(String description, Consumer<BgpPeerPoolSpec> edit, List<BgpPeerPool> others,
            List<Service> services) {
        assertThat(check(edit, others, services)).isEmpty();
    }

    static Stream<Arguments> allowed() {
        return Stream.of(
                Arguments.of("unchanged", (Consumer<BgpPeerPoolSpec>) s -> {
                }, List.of(), WEB),
                Arguments.of("shrunk around the address", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.0/28"),
                        List.of(), WEB),
                Arguments.of("the address moves to another pool of the spec", (Consumer<BgpPeerPoolSpec>) s -> {
                    firstPool(s).addresses = List.of("172.17.254.128/25");
                    s.addressPools.add(addressPool("kept", "172.17.254.10-172.17.254.20"));
                }, List.of(), WEB),
                Arguments.of("pool renamed, same addresses", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).name = "renamed", List.of(), WEB),
                Arguments.of("another BgpPeerPool in force covers it", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.128/25"),
                        List.of(ReferenceLab.pool("other", s -> s.addressPools = List.of(addressPool("other-space", "172.17.254.0/28")))), WEB),
                Arguments.of("the address was never this pool's", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.128/25"),
                        List.of(), List.of(loadBalancer("foreign", "10.1.2.3"))),
                Arguments.of("not a LoadBalancer", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.128/25"),
                        List.of(), List.of(new ServiceBuilder(loadBalancer("np", "172.17.254.10")).editSpec().withType("NodePort").endSpec().build())),
                Arguments.of("no address assigned yet", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.128/25"),
                        List.of(), List.of(new ServiceBuilder(loadBalancer("pending", "172.17.254.10")).withNewStatus().endStatus().build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesSpecsThatStrandAnAssignedAddress(String description, Consumer<BgpPeerPoolSpec> edit, List<Service> services, String field,
            String inMessage) {
        assertThat(check(edit, List.of(), services)).singleElement().satisfies(violation -> {
            assertThat(violation.field()).isEqualTo(field);
            assertThat(violation.reason()).isEqualTo(AssignedAddresses.REASON);
            assertThat(violation.message()).contains(inMessage).contains("not compatible with assigned IPs");
        });
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("shrunk away from the address", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.128/25"),
                        WEB, "spec.addressPools[my-ip-space].addresses", "Service default/web (172.17.254.10)"),
                Arguments.of("pool removed", (Consumer<BgpPeerPoolSpec>) s -> s.addressPools = List.of(addressPool("elsewhere", "10.9.0.0/24")),
                        WEB, "spec.addressPools[my-ip-space]", "default/web"),
                Arguments.of("avoidBuggyIPs under a .0 address", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).avoidBuggyIPs = true,
                        List.of(loadBalancer("zero", "172.17.254.0")), "spec.addressPools[my-ip-space].addresses", "default/zero (172.17.254.0)"),
                Arguments.of("many Services are counted, not all named", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).addresses = List.of("172.17.254.128/25"),
                        IntStream.rangeClosed(1, 5).mapToObj(i -> loadBalancer("svc-" + i, "172.17.254." + i)).toList(),
                        "spec.addressPools[my-ip-space].addresses", "svc-3 (172.17.254.3) and 2 more"));
    }

    @Test
    void nothingAcceptedMeansNothingToStrand() {
        BgpPeerPool emptied = pool(s -> firstPool(s).addresses = List.of("10.9.0.0/24"));
        assertThat(AssignedAddresses.check(emptied, Optional.empty(), List.of(), WEB)).isEmpty();
    }

    private static Service loadBalancer(String name, String ip) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp(ip).endIngress().endLoadBalancer().endStatus().build();
    }
}

package io.k8slab.lab.metallb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Service;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.kube.Violation;

/**
 * MetalLB's controller refuses a whole new configuration in which an address it already gave a Service lies in no
 * pool, and keeps running the old one ("new config not compatible with assigned IPs", allocator.SetPools in v0.7.3
 * through v0.13). The operator refuses such a spec first, naming the Services, so the pool's status says why and the
 * last accepted spec stays in force, rather than a ConfigApplied that MetalLB silently ignores. Pure.
 *
 * <p>Only addresses inside this pool's last accepted pools count: those are the ones MetalLB assigned from it.
 * An address counts as covered the way MetalLB's {@code poolFor} sees it: inside some pool of the new
 * configuration (this spec's or another BgpPeerPool's in force), and not a .0 or .255 in a pool that avoids them.
 */
public final class AssignedAddresses {

    public static final String REASON = "AddressesInUse";
    /** Services named in a message; the rest are counted. */
    private static final int NAMED = 3;

    private AssignedAddresses() {
    }

    /**
     * @param lastAccepted the pool's spec MetalLB runs now; empty when none was accepted (nothing can be taken away)
     * @param others the other pools in force for the same MetalLB
     * @param services the cluster's Services; LoadBalancer ones with ingress IPs are the assignments
     */
    static List<Violation> check(BgpPeerPool pool, Optional<BgpPeerPool> lastAccepted, List<BgpPeerPool> others,
            List<Service> services) {
        if (lastAccepted.isEmpty() || pool.getSpec() == null) {
            return List.of();
        }
        // Parsed once: every LoadBalancer Service is looked up in them.
        List<PoolUsage.Held> oldPools = pools(lastAccepted.get()).map(PoolUsage.Held::of).toList();
        List<PoolUsage.Held> newPools = Stream.concat(Stream.of(pool), others.stream()
                .filter(other -> !Objects.equals(other.getMetadata().getName(), pool.getMetadata().getName())))
                .flatMap(AssignedAddresses::pools).map(PoolUsage.Held::of).toList();
        // Field -> the Services that would lose their address, in a stable order.
        Map<String, List<String>> stranded = new LinkedHashMap<>();
        for (Service service : services.stream().sorted(Comparator.comparing(PoolUsage::name)).toList()) {
            for (String ip : PoolUsage.ingressIPs(service)) {
                Optional<PoolUsage.Address> address = PoolUsage.Address.parse(ip);
                Optional<PoolUsage.Held> from = address.flatMap(a -> oldPools.stream().filter(p -> p.holds(a)).findFirst());
                if (from.isPresent() && newPools.stream().noneMatch(p -> p.holds(address.get()))) {
                    stranded.computeIfAbsent(field(pool, from.get().name()), f -> new ArrayList<>())
                            .add(PoolUsage.name(service) + " (" + ip.trim() + ")");
                }
            }
        }
        List<Violation> violations = new ArrayList<>();
        stranded.forEach((field, holders) -> violations.add(new Violation(field, REASON, describe(holders))));
        return violations;
    }

    private static String describe(List<String> holders) {
        String named = String.join(", ", holders.subList(0, Math.min(NAMED, holders.size())))
                + (holders.size() > NAMED ? " and " + (holders.size() - NAMED) + " more" : "");
        return "the new spec drops addresses MetalLB has assigned to " + (holders.size() == 1 ? "Service " : "Services ") + named
                + "; MetalLB would refuse the whole configuration (\"new config not compatible with assigned IPs\"). "
                + "Keep those addresses in a pool, or move or delete the Services first";
    }

    /** The pool's addresses field when the spec still has a pool of that name, else the pool itself. */
    private static String field(BgpPeerPool pool, String poolName) {
        boolean kept = pools(pool).anyMatch(p -> poolName.equals(p.name));
        return "spec.addressPools[" + poolName + "]" + (kept ? ".addresses" : "");
    }

    private static Stream<AddressPool> pools(BgpPeerPool pool) {
        return pool.getSpec() == null || pool.getSpec().addressPools == null ? Stream.empty()
                : pool.getSpec().addressPools.stream().filter(Objects::nonNull);
    }
}

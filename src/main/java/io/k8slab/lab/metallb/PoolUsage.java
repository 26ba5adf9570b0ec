package io.k8slab.lab.metallb;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.k8slab.lab.api.v1alpha1.AddressAssignment;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.AddressPoolStatus;
import io.k8slab.lab.kube.Networks;

/**
 * How much of each address pool MetalLB has handed out: the addresses it may assign (its allocator's count, poolCount:
 * every address of the pool's CIDRs and ranges, without the .0 and .255 of IPv4 when avoidBuggyIPs is set), the
 * addresses LoadBalancer Services hold from it, and which Services those are. Exact for IPv6 too (BigInteger), where
 * MetalLB gives up at 2^62 and reports MaxInt64. Pure.
 */
public final class PoolUsage {

    /** Assignments listed per pool; {@code assigned} counts them all. */
    public static final int ASSIGNMENT_LIMIT = 50;

    private static final BigInteger OCTET = BigInteger.valueOf(256);
    /** What an IPv6 literal may hold: no zone (%eth0) and no name, so parsing never resolves anything. */
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private PoolUsage() {
    }

    /** An address of either family as an unsigned number; families never compare equal. */
    record Address(boolean v6, BigInteger value) implements Comparable<Address> {
        @Override
        public int compareTo(Address other) {
            return v6 != other.v6 ? Boolean.compare(v6, other.v6) : value.compareTo(other.value);
        }

        static Optional<Address> parse(String text) {
            if (text == null) {
                return Optional.empty();
            }
            String trimmed = text.trim();
            Optional<Long> v4 = Networks.parseIPv4(trimmed);
            if (v4.isPresent()) {
                return Optional.of(new Address(false, BigInteger.valueOf(v4.get())));
            }
            if (trimmed.indexOf(':') < 0 || !IPV6_LITERAL.matcher(trimmed).matches()) {
                return Optional.empty();
            }
            try {
                InetAddress address = InetAddress.getByName(trimmed); // a literal: no lookup
                return address instanceof Inet6Address ? Optional.of(new Address(true, new BigInteger(1, address.getAddress())))
                        : Networks.parseIPv4(address.getHostAddress()).map(value -> new Address(false, BigInteger.valueOf(value)));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }

        int bits() {
            return v6 ? 128 : 32;
        }
    }

    /** A closed interval of one family's addresses. */
    record Block(boolean v6, BigInteger first, BigInteger last) {
        BigInteger size() {
            return last.subtract(first).add(BigInteger.ONE);
        }

        boolean contains(Address address) {
            return address.v6() == v6 && first.compareTo(address.value()) <= 0 && address.value().compareTo(last) <= 0;
        }
    }

    /**
     * A pool address as MetalLB reads it: {@code a/len} (host bits may be set) or {@code a-b}, IPv4 or IPv6; empty when
     * unreadable, or for a range that ends before it starts (MetalLB accepts it and gives it no addresses).
     */
    static Optional<Block> block(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            Optional<Address> base = Address.parse(text.substring(0, slash));
            String length = text.substring(slash + 1).trim();
            if (base.isEmpty() || length.isEmpty() || length.length() > 3 || !length.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(length) > base.get().bits()) {
                return Optional.empty();
            }
            int hostBits = base.get().bits() - Integer.parseInt(length);
            BigInteger first = base.get().value().shiftRight(hostBits).shiftLeft(hostBits);
            return Optional.of(new Block(base.get().v6(), first, first.add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE)));
        }
        String[] bounds = text.split("-", 2);
        if (bounds.length != 2) {
            return Optional.empty();
        }
        Optional<Address> first = Address.parse(bounds[0]);
        Optional<Address> last = Address.parse(bounds[1]);
        if (first.isEmpty() || last.isEmpty() || first.get().v6() != last.get().v6() || first.get().value().compareTo(last.get().value()) > 0) {
            return Optional.empty();
        }
        return Optional.of(new Block(first.get().v6(), first.get().value(), last.get().value()));
    }

    /** A pool's addresses: its blocks merged (an address listed twice counts once), and whether it skips .0 and .255. */
    record Held(String name, List<Block> blocks, boolean avoidBuggyIPs) {
        static Held of(AddressPool pool) {
            List<Block> sorted = (pool.addresses == null ? List.<String>of() : pool.addresses).stream().map(PoolUsage::block)
                    .flatMap(Optional::stream).sorted(Comparator.comparing(Block::v6).thenComparing(Block::first)).toList();
            List<Block> merged = new ArrayList<>();
            for (Block block : sorted) {
                Block previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (previous != null && previous.v6() == block.v6() && block.first().compareTo(previous.last().add(BigInteger.ONE)) <= 0) {
                    merged.set(merged.size() - 1, new Block(block.v6(), previous.first(), previous.last().max(block.last())));
                } else {
                    merged.add(block);
                }
            }
            return new Held(pool.name, merged, MetalLbModel.Pool.of(pool).avoidBuggyIPs());
        }

        BigInteger total() {
            return blocks.stream().map(b -> b.size().subtract(avoidBuggyIPs && !b.v6() ? buggy(b) : BigInteger.ZERO))
                    .reduce(BigInteger.ZERO, BigInteger::add);
        }

        /** As MetalLB's poolFor: inside the pool, and not an address the pool avoids. */
        boolean holds(Address address) {
            if (avoidBuggyIPs && buggy(address)) {
                return false;
            }
            for (Block block : blocks) {
                if (block.contains(address)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The IPv4 addresses ending in .0 or .255 in the block, which avoidBuggyIPs skips. */
    private static BigInteger buggy(Block block) {
        return multiplesOf256(block.first(), block.last()).add(multiplesOf256(block.first().add(BigInteger.ONE), block.last().add(BigInteger.ONE)));
    }

    /** How many multiples of 256 lie in [first, last]. */
    private static BigInteger multiplesOf256(BigInteger first, BigInteger last) {
        return last.divide(OCTET).subtract(first.add(OCTET).subtract(BigInteger.ONE).divide(OCTET)).add(BigInteger.ONE);
    }

    private static boolean buggy(Address address) {
        int lastOctet = address.value().intValue() & 0xff;
        return !address.v6() && (lastOctet == 0 || lastOctet == 255);
    }

    /**
     * Every pool's usage, in the pools' order.
     *
     * @param pools the pools MetalLB runs for one BgpPeerPool (its accepted spec)
     * @param services the cluster's Services; LoadBalancer ones with ingress IPs are the assignments
     * @param limit how many assignments each pool lists
     */
    public static List<AddressPoolStatus> of(List<AddressPool> pools, List<Service> services, int limit) {
        List<Held> held = pools.stream().filter(Objects::nonNull).map(Held::of).toList();
        Map<String, TreeMap<Address, Holders>> byPool = new LinkedHashMap<>();
        held.forEach(pool -> byPool.put(pool.name(), new TreeMap<>()));
        for (Service service : services) {
            for (String ip : ingressIPs(service)) {
                Optional<Address> address = Address.parse(ip);
                if (address.isEmpty()) {
                    continue;
                }
                // Pools do not overlap (the validator refuses it), so the first that holds it is the one.
                for (Held pool : held) {
                    if (pool.holds(address.get())) {
                        byPool.get(pool.name()).computeIfAbsent(address.get(), a -> new Holders(ip.trim())).services().add(name(service));
                        break;
                    }
                }
            }
        }
        List<AddressPoolStatus> statuses = new ArrayList<>();
        for (Held pool : held) {
            TreeMap<Address, Holders> assigned = byPool.get(pool.name());
            BigInteger total = pool.total();
            AddressPoolStatus status = new AddressPoolStatus();
            status.name = pool.name();
            status.total = total.toString();
            status.assigned = (long) assigned.size();
            status.available = total.subtract(BigInteger.valueOf(assigned.size())).max(BigInteger.ZERO).toString();
            assigned.values().stream().limit(limit).forEach(holders -> {
                AddressAssignment assignment = new AddressAssignment();
                assignment.address = holders.text();
                assignment.services = new ArrayList<>(holders.services());
                status.assignments.add(assignment);
            });
            statuses.add(status);
        }
        return statuses;
    }

    /** {@code assigned/total} over every pool, for the IPS column; empty without pools. */
    public static Optional<String> summary(List<AddressPoolStatus> pools) {
        if (pools.isEmpty()) {
            return Optional.empty();
        }
        long assigned = pools.stream().mapToLong(p -> p.assigned).sum();
        BigInteger total = pools.stream().map(p -> new BigInteger(p.total)).reduce(BigInteger.ZERO, BigInteger::add);
        return Optional.of(assigned + "/" + total);
    }

    /** An address as the first Service wrote it, and every Service holding it, sorted. */
    private record Holders(String text, TreeSet<String> services) {
        Holders(String text) {
            this(text, new TreeSet<>());
        }
    }

    /** The ingress IPs of a LoadBalancer Service, as written. */
    static List<String> ingressIPs(Service service) {
        if (service.getSpec() == null || !"LoadBalancer".equals(service.getSpec().getType()) || service.getStatus() == null
                || service.getStatus().getLoadBalancer() == null || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return service.getStatus().getLoadBalancer().getIngress().stream().map(LoadBalancerIngress::getIp).filter(Objects::nonNull).toList();
    }

    static String name(Service service) {
        return service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    }
}

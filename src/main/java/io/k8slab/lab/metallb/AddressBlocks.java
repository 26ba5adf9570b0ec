package io.k8slab.lab.metallb;

import java.util.ArrayList;
import java.util.List;

import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;

/**
 * How MetalLB v0.7.3 turns a pool address (a CIDR or a range {@code a.b.c.d-e.f.g.h}, parsed by
 * {@link Networks#parseCidrOrRange}) into the CIDRs the pool really holds. The split matters: MetalLB checks
 * aggregation lengths against those CIDRs, so a range that yields /32s allows no aggregation at all. A range parsed
 * as written may start after it ends: MetalLB accepts it and silently gives it no addresses.
 */
public final class AddressBlocks {

    /** One CIDR block: the network address (host bits clear) and its prefix length. */
    public record Cidr(long network, int prefixLength) {
        public Range range() {
            return new Range(network, network + (1L << (32 - prefixLength)) - 1);
        }

        @Override
        public String toString() {
            return Networks.format(network) + "/" + prefixLength;
        }
    }

    private AddressBlocks() {
    }

    /** The fewest CIDRs that cover the range exactly, lowest first, as MetalLB summarizes; none when it is reversed. */
    public static List<Cidr> split(Range range) {
        List<Cidr> cidrs = new ArrayList<>();
        long next = range.first();
        while (next <= range.last()) {
            // The largest block that starts at `next` (alignment) and ends within the range.
            int prefix = 32;
            while (prefix > 0 && next % (1L << (33 - prefix)) == 0 && next + (1L << (33 - prefix)) - 1 <= range.last()) {
                prefix--;
            }
            Cidr cidr = new Cidr(next, prefix);
            cidrs.add(cidr);
            next = cidr.range().last() + 1;
        }
        return cidrs;
    }
}

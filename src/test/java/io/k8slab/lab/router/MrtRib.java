package io.k8slab.lab.router;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.k8slab.lab.kube.Networks;

/**
 * A routing table as an MRT TABLE_DUMP_V2 file (RFC 6396), for {@code gobgp mrt inject global}: many routes in one
 * command, where {@code gobgp global rib add} takes one process per route. Each route is a /24 from
 * {@code first} onwards, originated by one peer, with ORIGIN IGP, an AS_PATH of {@code originAsn} and {@code nextHop}.
 *
 * <p>gobgp 3.10's inject exits right after its last send without waiting for gobgpd to take the stream's end, so
 * the last records can be lost: the file ends with {@value #TAIL} records that repeat the first routes, which makes
 * the loss harmless.
 */
final class MrtRib {

    private static final int TABLE_DUMP_V2 = 13;
    private static final int PEER_INDEX_TABLE = 1;
    private static final int RIB_IPV4_UNICAST = 2;
    static final int TAIL = 2000;
    /** The peer the routes come from: not the router itself, whose own router id gobgpd would refuse as a loop. */
    private static final long PEER = Networks.parseIPv4("192.0.2.1").orElseThrow();

    private MrtRib() {
    }

    static void write(Path file, String first, int routes, long originAsn, String nextHop) {
        long firstNetwork = Networks.parseIPv4(first).orElseThrow();
        long hop = Networks.parseIPv4(nextHop).orElseThrow();
        try (OutputStream stream = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream))) {
            // One peer: IPv4 address, 4-byte AS (peer type bit 1).
            header(out, PEER_INDEX_TABLE, 4 + 2 + 2 + 1 + 4 + 4 + 4);
            out.writeInt((int) PEER);
            out.writeShort(0);
            out.writeShort(1);
            out.writeByte(0x02);
            out.writeInt((int) PEER);
            out.writeInt((int) PEER);
            out.writeInt((int) originAsn);
            int attributes = (3 + 1) + (3 + 6) + (3 + 4);
            for (int i = 0; i < routes + TAIL; i++) {
                long network = firstNetwork + ((long) (i % routes) << 8);
                header(out, RIB_IPV4_UNICAST, 4 + 1 + 3 + 2 + 2 + 4 + 2 + attributes);
                out.writeInt(i);
                out.writeByte(24);
                out.writeByte((int) (network >>> 24));
                out.writeByte((int) (network >>> 16));
                out.writeByte((int) (network >>> 8));
                out.writeShort(1);
                out.writeShort(0);
                out.writeInt(0);
                out.writeShort(attributes);
                // ORIGIN IGP; AS_PATH one AS_SEQUENCE of one 4-byte AS; NEXT_HOP. Flags: well-known transitive.
                out.write(new byte[] { 0x40, 1, 1, 0 });
                out.write(new byte[] { 0x40, 2, 6, 2, 1 });
                out.writeInt((int) originAsn);
                out.write(new byte[] { 0x40, 3, 4 });
                out.writeInt((int) hop);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void header(DataOutputStream out, int subtype, int length) throws IOException {
        out.writeInt(0);
        out.writeShort(TABLE_DUMP_V2);
        out.writeShort(subtype);
        out.writeInt(length);
    }
}

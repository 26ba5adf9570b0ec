package io.k8slab.lab.router.gobgp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import javax.net.ssl.SSLException;

import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.router.NeighborConfig;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterException;
import io.k8slab.lab.router.RouterPeer;
import io.k8slab.lab.router.RouterRoute;
import io.k8slab.lab.router.RouterTls;
import io.k8slab.lab.router.RouterTlsException;
import io.k8slab.lab.router.RouterUnreachableException;
import io.k8slab.lab.router.apipb.AddPeerRequest;
import io.k8slab.lab.router.apipb.AfiSafi;
import io.k8slab.lab.router.apipb.AsPathAttribute;
import io.k8slab.lab.router.apipb.AsSegment;
import io.k8slab.lab.router.apipb.DeletePeerRequest;
import io.k8slab.lab.router.apipb.Destination;
import io.k8slab.lab.router.apipb.Family;
import io.k8slab.lab.router.apipb.GobgpApiGrpc;
import io.k8slab.lab.router.apipb.IPAddressPrefix;
import io.k8slab.lab.router.apipb.ListPathRequest;
import io.k8slab.lab.router.apipb.ListPathResponse;
import io.k8slab.lab.router.apipb.ListPeerRequest;
import io.k8slab.lab.router.apipb.ListPeerResponse;
import io.k8slab.lab.router.apipb.MpReachNLRIAttribute;
import io.k8slab.lab.router.apipb.NextHopAttribute;
import io.k8slab.lab.router.apipb.Path;
import io.k8slab.lab.router.apipb.Peer;
import io.k8slab.lab.router.apipb.PeerConf;
import io.k8slab.lab.router.apipb.PeerState;
import io.k8slab.lab.router.apipb.TableLookupPrefix;
import io.k8slab.lab.router.apipb.TableType;
import io.k8slab.lab.router.apipb.Timers;
import io.k8slab.lab.router.apipb.TimersConfig;

/**
 * gobgpd 3.x's gRPC API ({@code apipb.GobgpApi}, port 50051 by default) through the project's own
 * {@code src/main/proto/gobgp.proto}: plaintext, or TLS with a client certificate ({@link RouterTls}) when the router
 * demands one (gobgpd 3.10 itself cannot check client certificates; the lab's rt-01 puts a TLS terminator in front).
 *
 * <p>One channel per router endpoint, opened lazily by grpc-java and kept for the client's life; every call carries
 * a short deadline, so an unreachable router costs at most that long. After a failed connection grpc-java would
 * wait up to two minutes (exponential back-off) before trying again; the client resets the back-off before each call,
 * so a router that comes back answers the next call. Close the client to release the connection.
 */
public final class GobgpRouterClient implements RouterClient {

    /** How long one call may take, streaming included. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(3);
    /** gobgpd's default API port. */
    public static final int DEFAULT_PORT = 50051;
    /** See {@link #lookups}: a /21 at most is asked about one prefix at a time. */
    public static final int EXACT_LOOKUPS_PER_PREFIX = 4095;
    /** See {@link #lookups}: some 100 KB of request. */
    public static final int EXACT_LOOKUPS_PER_CALL = 16_383;

    private static final Family IPV4_UNICAST = Family.newBuilder()
            .setAfi(Family.Afi.AFI_IP).setSafi(Family.Safi.SAFI_UNICAST).build();
    private static final Family IPV6_UNICAST = Family.newBuilder()
            .setAfi(Family.Afi.AFI_IP6).setSafi(Family.Safi.SAFI_UNICAST).build();

    private final String endpoint;
    private final Duration deadline;
    private final Optional<RouterTls> tls;
    private final ManagedChannel channel;
    private final GobgpApiGrpc.GobgpApiBlockingStub stub;

    private GobgpRouterClient(String endpoint, String host, int port, Duration deadline, Optional<RouterTls> tls) {
        this.endpoint = endpoint;
        this.deadline = deadline;
        this.tls = tls;
        ChannelCredentials credentials = tls.isEmpty() ? InsecureChannelCredentials.create() : credentials(endpoint, tls.get());
        try {
            this.channel = Grpc.newChannelBuilderForAddress(host, port, credentials).build();
        } catch (IllegalArgumentException e) {
            // The TLS stack's own message may quote what it could not parse: name the Secret only.
            throw new RouterTlsException(endpoint, "router API " + endpoint + ": the TLS stack cannot use the client certificate of "
                    + tls.map(RouterTls::source).orElse("?"));
        }
        this.stub = GobgpApiGrpc.newBlockingStub(channel);
    }

    private static ChannelCredentials credentials(String endpoint, RouterTls tls) {
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(new ByteArrayInputStream(tls.certificateChain()), new ByteArrayInputStream(tls.privateKey()))
                    .trustManager(new ByteArrayInputStream(tls.trustedCertificates()))
                    .build();
        } catch (IOException e) {
            throw new RouterTlsException(endpoint, "router API " + endpoint + ": cannot read the TLS Secret " + tls.source());
        }
    }

    /** A plaintext client for gobgpd at {@code host:port} (a port-less host means 50051), with {@link #DEFAULT_DEADLINE}. */
    public static GobgpRouterClient connect(String endpoint) {
        return connect(endpoint, DEFAULT_DEADLINE);
    }

    /** A plaintext client for gobgpd at {@code host:port} whose calls each give up after {@code deadline}. */
    public static GobgpRouterClient connect(String endpoint, Duration deadline) {
        return connect(endpoint, deadline, Optional.empty());
    }

    /**
     * A client for gobgpd at {@code host:port} whose calls each give up after {@code deadline}, over TLS with
     * {@code tls}'s client certificate when present. The router's certificate must chain to {@code tls}'s CA and name
     * the host (IP or DNS subject alternative name).
     */
    public static GobgpRouterClient connect(String endpoint, Duration deadline, Optional<RouterTls> tls) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("the router's API endpoint is empty");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline must be positive, not " + deadline);
        }
        int colon = endpoint.lastIndexOf(':');
        String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
        int port = DEFAULT_PORT;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(endpoint.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("the router's API endpoint must be host:port, not '" + endpoint + "'");
        }
        return new GobgpRouterClient(endpoint, host, port, deadline, tls);
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public List<RouterPeer> listPeers() {
        return call("ListPeer", stub -> collect(stub.listPeer(ListPeerRequest.getDefaultInstance()),
                (ListPeerResponse response, List<RouterPeer> peers) -> peers.add(toPeer(response.getPeer()))));
    }

    @Override
    public List<RouterRoute> listRoutes(Collection<String> prefixes) {
        List<RouterRoute> routes = new ArrayList<>();
        Map<Boolean, List<String>> byFamily = prefixes.stream().distinct().collect(Collectors.partitioningBy(p -> p.contains(":")));
        byFamily.forEach((ipv6, family) -> {
            if (!family.isEmpty()) {
                routes.addAll(listPath(ipv6 ? IPV6_UNICAST : IPV4_UNICAST, family));
            }
        });
        return routes;
    }

    private List<RouterRoute> listPath(Family family, List<String> prefixes) {
        ListPathRequest request = ListPathRequest.newBuilder()
                .setTableType(TableType.GLOBAL)
                .setFamily(family)
                .addAllPrefixes(lookups(prefixes))
                .build();
        return call("ListPath", stub -> collect(stub.listPath(request),
                (ListPathResponse response, List<RouterRoute> routes) -> addRoutes(response.getDestination(), routes)));
    }

    /**
     * How to ask gobgpd for the destinations within {@code prefixes} (each the prefix and longer ones) at a cost that
     * follows the prefixes, not the table: gobgpd (3.10, and 4.x alike) answers a LONGER lookup by building a prefix
     * tree of its whole table for that one lookup ({@code Table.GetLongerPrefixDestinations}), some 200 ms at 100,000
     * routes, but an EXACT one with a map lookup. So an IPv4 prefix is asked about as every prefix inside it, its own
     * length to /32, EXACT (511 for a /24), while it has at most {@link #EXACT_LOOKUPS_PER_PREFIX} and the call at most
     * {@link #EXACT_LOOKUPS_PER_CALL}; a wider prefix, or text that is no IPv4 CIDR (IPv6, or wrong: gobgpd names it),
     * goes as one LONGER lookup. Either way gobgpd returns the same destinations.
     */
    public static List<TableLookupPrefix> lookups(List<String> prefixes) {
        List<TableLookupPrefix> lookups = new ArrayList<>();
        int exact = 0;
        for (String prefix : prefixes) {
            Optional<Networks.Range> range = Networks.parseCIDR(prefix);
            int length = range.map(r -> 32 - Long.numberOfTrailingZeros(r.last() - r.first() + 1)).orElse(0);
            long inside = (1L << (33 - length)) - 1;
            if (range.isEmpty() || inside > EXACT_LOOKUPS_PER_PREFIX || exact + inside > EXACT_LOOKUPS_PER_CALL) {
                lookups.add(TableLookupPrefix.newBuilder().setPrefix(prefix).setType(TableLookupPrefix.Type.LONGER).build());
                continue;
            }
            exact += (int) inside;
            for (int longer = length; longer <= 32; longer++) {
                for (long address = range.get().first(); address <= range.get().last(); address += 1L << (32 - longer)) {
                    lookups.add(TableLookupPrefix.newBuilder().setPrefix(Networks.prefix(address, longer))
                            .setType(TableLookupPrefix.Type.EXACT).build());
                }
            }
        }
        return lookups;
    }

    @Override
    public void addPeer(NeighborConfig neighbor) {
        PeerConf.Builder conf = PeerConf.newBuilder()
                .setNeighborAddress(neighbor.address())
                .setPeerAsn((int) neighbor.asn())
                .setDescription(neighbor.description() == null ? "" : neighbor.description());
        TimersConfig timers = TimersConfig.newBuilder()
                .setConnectRetry(neighbor.connectRetrySeconds())
                .setIdleHoldTimeAfterReset(neighbor.idleHoldAfterResetSeconds())
                .setHoldTime(neighbor.holdTimeSeconds())
                .build();
        Peer peer = Peer.newBuilder().setConf(conf).setTimers(Timers.newBuilder().setConfig(timers)).build();
        call("AddPeer", stub -> stub.addPeer(AddPeerRequest.newBuilder().setPeer(peer).build()));
    }

    @Override
    public void deletePeer(String address) {
        call("DeletePeer", stub -> stub.deletePeer(DeletePeerRequest.newBuilder().setAddress(address).build()));
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "GobgpRouterClient[" + endpoint + tls.map(t -> ", TLS " + t.source()).orElse("") + "]";
    }

    // ---- calls and errors ----

    private <T> T call(String operation, Function<GobgpApiGrpc.GobgpApiBlockingStub, T> body) {
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        try {
            return body.apply(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
        } catch (StatusRuntimeException e) {
            throw translate(operation, e.getStatus());
        }
    }

    private RouterException translate(String operation, Status status) {
        Optional<SSLException> ssl = sslCause(status.getCause());
        if (ssl.isPresent()) {
            return new RouterTlsException(endpoint, "router API " + endpoint + ": the TLS handshake failed (" + operation + "): "
                    + ssl.get().getMessage() + tls.map(t -> "; client certificate and CA from Secret " + t.source()
                            + ": the router must trust its issuer, and " + RouterTls.CA + " must be the router's CA")
                            .orElse(""));
        }
        String detail = status.getCode().name();
        if (status.getDescription() != null && !status.getDescription().isBlank()) {
            detail += ": " + status.getDescription();
        }
        if (status.getCause() != null && status.getCause().getMessage() != null
                && (status.getDescription() == null || !status.getDescription().contains(status.getCause().getMessage()))) {
            detail += " (" + status.getCause().getMessage() + ")";
        }
        return switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> new RouterUnreachableException(endpoint, "router API " + endpoint
                    + " did not answer " + operation + " within " + deadline.toMillis() + " ms");
            case UNAVAILABLE, CANCELLED -> new RouterUnreachableException(endpoint, "router API " + endpoint
                    + " is unreachable (" + operation + "): " + detail);
            default -> new RouterException(endpoint, "router API " + endpoint + " refused " + operation + ": " + detail);
        };
    }

    private static Optional<SSLException> sslCause(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException ssl) {
                return Optional.of(ssl);
            }
        }
        return Optional.empty();
    }

    @FunctionalInterface
    private interface Accumulator<M, T> {
        void accept(M message, List<T> into);
    }

    private static <M, T> List<T> collect(Iterator<M> stream, Accumulator<M, T> accumulator) {
        List<T> result = new ArrayList<>();
        while (stream.hasNext()) {
            accumulator.accept(stream.next(), result);
        }
        return result;
    }

    // ---- conversions ----

    public static RouterPeer toPeer(Peer peer) {
        PeerConf conf = peer.getConf();
        PeerState state = peer.getState();
        String address = !conf.getNeighborAddress().isEmpty() ? conf.getNeighborAddress() : state.getNeighborAddress();
        long asn = Integer.toUnsignedLong(conf.getPeerAsn() != 0 ? conf.getPeerAsn() : state.getPeerAsn());
        String description = !conf.getDescription().isEmpty() ? conf.getDescription() : state.getDescription();
        String sessionState = sessionState(state.getSessionState());
        Instant since = null;
        if (peer.hasTimers() && peer.getTimers().hasState()) {
            Instant up = instant(peer.getTimers().getState().getUptime());
            Instant down = instant(peer.getTimers().getState().getDowntime());
            since = RouterPeer.ESTABLISHED.equals(sessionState) ? up : down;
        }
        long received = 0;
        long accepted = 0;
        for (AfiSafi afiSafi : peer.getAfiSafisList()) {
            received += afiSafi.getState().getReceived();
            accepted += afiSafi.getState().getAccepted();
        }
        boolean adminDown = conf.getAdminDown() || state.getAdminState() == PeerState.AdminState.DOWN;
        return new RouterPeer(address, asn, description, sessionState, adminDown, since, received, accepted);
    }

    private static String sessionState(PeerState.SessionState state) {
        return switch (state) {
            case IDLE -> "Idle";
            case CONNECT -> "Connect";
            case ACTIVE -> "Active";
            case OPENSENT -> "OpenSent";
            case OPENCONFIRM -> "OpenConfirm";
            case ESTABLISHED -> RouterPeer.ESTABLISHED;
            default -> "Unknown";
        };
    }

    /** gobgpd sends the zero Timestamp for "never". */
    private static Instant instant(Timestamp timestamp) {
        return timestamp.getSeconds() <= 0 ? null : Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    public static void addRoutes(Destination destination, List<RouterRoute> routes) {
        for (Path path : destination.getPathsList()) {
            if (path.getIsWithdraw()) {
                continue;
            }
            String prefix = destination.getPrefix();
            String nextHop = "";
            List<Long> asPath = new ArrayList<>();
            try {
                if (prefix.isEmpty() && path.hasNlri() && path.getNlri().is(IPAddressPrefix.class)) {
                    IPAddressPrefix nlri = path.getNlri().unpack(IPAddressPrefix.class);
                    prefix = nlri.getPrefix() + "/" + nlri.getPrefixLen();
                }
                for (Any attribute : path.getPattrsList()) {
                    if (attribute.is(NextHopAttribute.class)) {
                        nextHop = attribute.unpack(NextHopAttribute.class).getNextHop();
                    } else if (attribute.is(MpReachNLRIAttribute.class) && nextHop.isEmpty()) {
                        MpReachNLRIAttribute reach = attribute.unpack(MpReachNLRIAttribute.class);
                        nextHop = reach.getNextHopsCount() > 0 ? reach.getNextHops(0) : "";
                    } else if (attribute.is(AsPathAttribute.class)) {
                        for (AsSegment segment : attribute.unpack(AsPathAttribute.class).getSegmentsList()) {
                            segment.getNumbersList().forEach(number -> asPath.add(Integer.toUnsignedLong(number)));
                        }
                    }
                }
            } catch (InvalidProtocolBufferException e) {
                // An attribute that claims a type it does not hold: keep what was readable.
            }
            routes.add(new RouterRoute(prefix, nextHop, asPath, neighbor(path.getNeighborIp()), path.getBest()));
        }
    }

    /** gobgpd names no neighbor for paths it originated itself (an empty string or {@code <nil>}). */
    private static String neighbor(String neighborIp) {
        return neighborIp == null || neighborIp.isEmpty() || neighborIp.startsWith("<") ? "" : neighborIp;
    }
}

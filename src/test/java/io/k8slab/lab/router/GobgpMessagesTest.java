package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;

import io.k8slab.lab.router.apipb.AfiSafi;
import io.k8slab.lab.router.apipb.AfiSafiState;
import io.k8slab.lab.router.apipb.AsPathAttribute;
import io.k8slab.lab.router.apipb.AsSegment;
import io.k8slab.lab.router.apipb.Destination;
import io.k8slab.lab.router.apipb.Family;
import io.k8slab.lab.router.apipb.IPAddressPrefix;
import io.k8slab.lab.router.apipb.MpReachNLRIAttribute;
import io.k8slab.lab.router.apipb.NextHopAttribute;
import io.k8slab.lab.router.apipb.OriginAttribute;
import io.k8slab.lab.router.apipb.Path;
import io.k8slab.lab.router.apipb.Peer;
import io.k8slab.lab.router.apipb.PeerConf;
import io.k8slab.lab.router.apipb.PeerState;
import io.k8slab.lab.router.apipb.Timers;
import io.k8slab.lab.router.apipb.TimersState;
import io.k8slab.lab.router.gobgp.GobgpRouterClient;

/** How gobgpd's messages become RouterPeers and RouterRoutes (the wire format itself is checked against gobgpd). */
class GobgpMessagesTest {

    @Test
    void theAnyTypeUrlsAreGobgpdsOwn() {
        assertThat(Any.pack(IPAddressPrefix.getDefaultInstance()).getTypeUrl())
                .isEqualTo("type.googleapis.com/apipb.IPAddressPrefix");
        assertThat(Any.pack(NextHopAttribute.getDefaultInstance()).getTypeUrl())
                .isEqualTo("type.googleapis.com/apipb.NextHopAttribute");
    }

    @Test
    void anEstablishedPeer() {
        Peer peer = Peer.newBuilder()
                .setConf(PeerConf.newBuilder().setNeighborAddress("172.17.0.21").setPeerAsn(64522)
                        .setDescription("lab-operator:lab k8s-node-01"))
                .setState(PeerState.newBuilder().setNeighborAddress("172.17.0.21").setPeerAsn(64522)
                        .setSessionState(PeerState.SessionState.ESTABLISHED))
                .setTimers(Timers.newBuilder().setState(TimersState.newBuilder()
                        .setUptime(Timestamp.newBuilder().setSeconds(1_700_000_000))
                        .setDowntime(Timestamp.newBuilder().setSeconds(1_600_000_000))))
                .addAfiSafis(AfiSafi.newBuilder().setState(AfiSafiState.newBuilder().setReceived(3).setAccepted(2)))
                .build();

        assertThat(GobgpRouterClient.toPeer(peer)).isEqualTo(new RouterPeer("172.17.0.21", 64522,
                "lab-operator:lab k8s-node-01", "Established", false, Instant.ofEpochSecond(1_700_000_000), 3, 2));
    }

    @Test
    void aPeerThatWasNeverUpAndAFourByteAsn() {
        Peer peer = Peer.newBuilder()
                .setConf(PeerConf.newBuilder().setNeighborAddress("172.17.0.24").setPeerAsn((int) 4_200_000_000L)
                        .setAdminDown(true))
                .setState(PeerState.newBuilder().setSessionState(PeerState.SessionState.ACTIVE))
                .setTimers(Timers.newBuilder().setState(TimersState.getDefaultInstance()))
                .build();

        RouterPeer converted = GobgpRouterClient.toPeer(peer);
        assertThat(converted.asn()).isEqualTo(4_200_000_000L);
        assertThat(converted.state()).isEqualTo("Active");
        assertThat(converted.since()).isNull();
        assertThat(converted.adminDown()).isTrue();
        assertThat(converted.description()).isEmpty();
        assertThat(GobgpRouterClient.toPeer(Peer.getDefaultInstance()).state()).isEqualTo("Unknown");
    }

    @Test
    void pathsOfOneDestination() {
        Path received = Path.newBuilder()
                .setNlri(Any.pack(IPAddressPrefix.newBuilder().setPrefix("172.17.254.1").setPrefixLen(32).build()))
                .addPattrs(Any.pack(OriginAttribute.newBuilder().setOrigin(2).build()))
                .addPattrs(Any.pack(AsPathAttribute.newBuilder().addSegments(AsSegment.newBuilder()
                        .setType(AsSegment.Type.AS_SEQUENCE).addNumbers(64522).addNumbers((int) 4_200_000_000L)).build()))
                .addPattrs(Any.pack(NextHopAttribute.newBuilder().setNextHop("172.17.0.21").build()))
                .addPattrs(Any.newBuilder().setTypeUrl("type.googleapis.com/apipb.CommunitiesAttribute").build())
                .setNeighborIp("172.17.0.21").setBest(true)
                .build();
        Path local = Path.newBuilder()
                .setNlri(Any.pack(IPAddressPrefix.newBuilder().setPrefix("172.17.254.1").setPrefixLen(32).build()))
                .addPattrs(Any.pack(MpReachNLRIAttribute.newBuilder()
                        .setFamily(Family.newBuilder().setAfi(Family.Afi.AFI_IP).setSafi(Family.Safi.SAFI_UNICAST))
                        .addNextHops("0.0.0.0").build()))
                .setNeighborIp("<nil>")
                .build();
        Path withdrawn = received.toBuilder().setIsWithdraw(true).build();
        List<RouterRoute> routes = new ArrayList<>();

        GobgpRouterClient.addRoutes(Destination.newBuilder().setPrefix("172.17.254.1/32")
                .addPaths(received).addPaths(local).addPaths(withdrawn).build(), routes);

        assertThat(routes).containsExactly(
                new RouterRoute("172.17.254.1/32", "172.17.0.21", List.of(64522L, 4_200_000_000L), "172.17.0.21", true),
                new RouterRoute("172.17.254.1/32", "0.0.0.0", List.of(), "", false));
    }
}

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
import io.k8slab.lab.router.apipb.TableLookupPrefix;
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

    @Test
    void aPoolsRangeIsAskedAboutAsEveryPrefixInsideItExactly() {
        List<TableLookupPrefix> lookups = GobgpRouterClient.lookups(List.of("172.17.254.0/24"));

        assertThat(lookups).extracting(TableLookupPrefix::getType).containsOnly(TableLookupPrefix.Type.EXACT);
        assertThat(lookups).extracting(TableLookupPrefix::getPrefix).hasSize(511).doesNotHaveDuplicates()
                .startsWith("172.17.254.0/24", "172.17.254.0/25", "172.17.254.128/25", "172.17.254.0/26")
                .contains("172.17.254.1/32", "172.17.254.64/27", "172.17.254.252/30")
                .endsWith("172.17.254.254/32", "172.17.254.255/32")
                .allMatch(prefix -> prefix.startsWith("172.17.254."));
    }

    @Test
    void whatIsLookedUpHowForEachPrefix() {
        record Case(List<String> prefixes, long exact, List<String> longer) {
        }
        List<Case> cases = List.of(
                new Case(List.of("172.17.254.1/32"), 1, List.of()),
                new Case(List.of("172.17.254.5/30"), 7, List.of()), // host bits set: the network's prefixes
                new Case(List.of("172.17.248.0/21"), 4095, List.of()),
                new Case(List.of("172.17.240.0/20"), 0, List.of("172.17.240.0/20")), // 8191 prefixes: too many
                new Case(List.of("0.0.0.0/0"), 0, List.of("0.0.0.0/0")),
                new Case(List.of("10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21", "10.0.24.0/21", "10.0.32.0/21", "10.0.40.0/32"),
                        4 * 4095 + 1, List.of("10.0.32.0/21")), // the call's budget is spent after four /21s
                new Case(List.of("2001:db8::/120"), 0, List.of("2001:db8::/120")),
                new Case(List.of("172.17.254.0/33"), 0, List.of("172.17.254.0/33"))); // gobgpd names what is wrong
        for (Case c : cases) {
            List<TableLookupPrefix> lookups = GobgpRouterClient.lookups(c.prefixes());
            assertThat(lookups.stream().filter(l -> l.getType() == TableLookupPrefix.Type.EXACT).count()).as(c.toString()).isEqualTo(c.exact());
            assertThat(lookups).filteredOn(l -> l.getType() == TableLookupPrefix.Type.LONGER).extracting(TableLookupPrefix::getPrefix)
                    .as(c.toString()).containsExactlyElementsOf(c.longer());
        }
    }
}

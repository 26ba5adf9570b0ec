package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.addressPool;
import static io.k8slab.lab.metallb.ReferenceLab.advertisement;
import static io.k8slab.lab.metallb.ReferenceLab.firstPeer;
import static io.k8slab.lab.metallb.ReferenceLab.firstPool;
import static io.k8slab.lab.metallb.ReferenceLab.peer;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.metallb.ParsedConfigFile.NodeSelector;

class ConfigMapRendererTest {

    private static ParsedConfigFile renderAndParse(BgpPeerPool... pools) {
        return ParsedConfigFile.parse(ConfigMapRenderer.render(MetalLbModel.of(List.of(pools))));
    }

    @Test
    void referenceLabMeansWhatAPersonWouldWrite() {
        assertThat(renderAndParse(ReferenceLab.pool("lab"))).isEqualTo(ParsedConfigFile.parse(ReferenceLab.CONFIG));
    }

    @Test
    void referenceLabSpellsOutMetalLbsDefaults() {
        assertThat(ConfigMapRenderer.render(MetalLbModel.of(List.of(ReferenceLab.pool("lab"))))).isEqualTo("""
                peers:
                - my-asn: 64522
                  peer-asn: 64512
                  peer-address: 172.17.0.1
                  peer-port: 179
                  hold-time: 90s
                address-pools:
                - name: my-ip-space
                  protocol: bgp
                  addresses:
                  - 172.17.254.0/24
                  avoid-buggy-ips: true
                  auto-assign: true
                """);
    }

    @Test
    void sameInputsGiveTheSameBytesInAnyOrder() {
        BgpPeerPool a = ReferenceLab.pool("a-lab");
        BgpPeerPool b = secondLab("b-lab");
        String rendered = ConfigMapRenderer.render(MetalLbModel.of(List.of(a, b)));

        assertThat(ConfigMapRenderer.render(MetalLbModel.of(List.of(a, b)))).isEqualTo(rendered);
        assertThat(ConfigMapRenderer.render(MetalLbModel.of(List.of(b, a)))).isEqualTo(rendered);
        assertThat(ConfigMapRenderer.render(MetalLbModel.of(List.of(ReferenceLab.pool("a-lab"), secondLab("b-lab"))))).isEqualTo(rendered);
    }

    @Test
    void mergesBgpPeerPoolsInNameOrderWithSharedRoutersOnce() {
        // b-lab's pool sorts first by pool name, but a-lab's pools come first: the BgpPeerPool name decides.
        BgpPeerPool a = ReferenceLab.pool("a-lab", s -> firstPool(s).name = "zz-space");
        BgpPeerPool b = secondLab("b-lab");

        String rendered = ConfigMapRenderer.render(MetalLbModel.of(List.of(b, a)));
        ParsedConfigFile model = ParsedConfigFile.parse(rendered);

        assertThat(model.peers()).extracting(ParsedConfigFile.Peer::peerAddress).containsExactly("172.17.0.1", "172.17.0.2");
        assertThat(model.pools()).containsOnlyKeys("zz-space", "aa-space");
        assertThat(rendered.indexOf("zz-space")).isLessThan(rendered.indexOf("aa-space"));
    }

    @Test
    void communitiesAreMergedAndResolveToTheirValues() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> {
            s.communities = Map.of("lab", "64512:100");
            firstPool(s).advertisements = List.of(advertisement(24, "lab", "65535:0"), advertisement(null));
            firstPool(s).advertisements.get(0).localPref = 150L;
        });

        String rendered = ConfigMapRenderer.render(MetalLbModel.of(List.of(pool)));
        ParsedConfigFile.Pool parsed = ParsedConfigFile.parse(rendered).pools().get("my-ip-space");

        assertThat(rendered).contains("bgp-communities:\n  lab: 64512:100\n");
        assertThat(parsed.advertisements()).containsExactly(
                new ParsedConfigFile.Advertisement(24, 150, new TreeSet<>(List.of("64512:100", "65535:0"))),
                new ParsedConfigFile.Advertisement(32, 0, new TreeSet<>()));
    }

    @Test
    void nodeSelectorsRouterIdAndHoldTimeReachMetalLb() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> {
            firstPeer(s).nodeSelector = Map.of("kubernetes.io/hostname", "k8s-node-01", "rack", "null", "spare", "true");
            firstPeer(s).routerID = "172.17.0.21";
            firstPeer(s).holdTime = "3m";
        });

        ParsedConfigFile.Peer peer = renderAndParse(pool).peers().get(0);

        // "null" and "true" must reach MetalLB as strings, not as YAML's null or boolean.
        assertThat(peer.nodeSelectors()).containsExactly(new NodeSelector(new TreeSet<>(List.of(
                "kubernetes.io/hostname=k8s-node-01", "rack=null", "spare=true"))));
        assertThat(peer.routerId()).isEqualTo("172.17.0.21");
        assertThat(peer.holdTime()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void rangesAreWrittenAsGivenAndSplitByMetalLb() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> firstPool(s).addresses = List.of("172.17.254.10-172.17.254.20", "172.17.253.0/28"));

        String rendered = ConfigMapRenderer.render(MetalLbModel.of(List.of(pool)));

        assertThat(rendered).contains("  - 172.17.254.10-172.17.254.20\n  - 172.17.253.0/28\n");
        assertThat(ParsedConfigFile.parse(rendered).pools().get("my-ip-space").cidrs()).extracting(Object::toString)
                .containsExactly("172.17.254.10/31", "172.17.254.12/30", "172.17.254.16/30", "172.17.254.20/32", "172.17.253.0/28");
    }

    @Test
    void layer2PoolsHaveNoAdvertisements() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> firstPool(s).protocol = PoolProtocol.layer2);

        assertThat(renderAndParse(pool).pools().get("my-ip-space"))
                .satisfies(parsed -> assertThat(parsed.protocol()).isEqualTo("layer2"))
                .satisfies(parsed -> assertThat(parsed.advertisements()).isEmpty());
    }

    @Test
    void hashIsSha256Hex() {
        assertThat(ConfigMapRenderer.hash("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        String reference = ConfigMapRenderer.render(MetalLbModel.of(List.of(ReferenceLab.pool("lab"))));
        String changed = ConfigMapRenderer.render(MetalLbModel.of(List.of(ReferenceLab.pool("lab", s -> firstPeer(s).port = 1179))));
        assertThat(ConfigMapRenderer.hash(reference)).hasSize(64).isNotEqualTo(ConfigMapRenderer.hash(changed));
    }

    /** A second lab: rt-01 declared alike but spelled otherwise, a second router, and pool aa-space. */
    private static BgpPeerPool secondLab(String name) {
        return ReferenceLab.pool(name, s -> {
            firstPeer(s).name = "router";
            firstPeer(s).holdTime = "1m30s";
            firstPeer(s).port = 179;
            s.peers.add(peer("rt-02", "172.17.0.2", 64513));
            s.addressPools = List.of(addressPool("aa-space", "172.17.253.0/24"));
        });
    }
}

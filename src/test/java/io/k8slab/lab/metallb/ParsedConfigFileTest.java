package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.metallb.ParsedConfigFile.Advertisement;
import io.k8slab.lab.metallb.ParsedConfigFile.NodeSelector;
import io.k8slab.lab.metallb.ParsedConfigFile.Peer;
import io.k8slab.lab.metallb.ParsedConfigFile.Pool;

class ParsedConfigFileTest {

    /** A peer and a pool with MetalLB's required keys only; cases append to it. */
    private static final String PEER = """
            peers:
            - my-asn: 64522
              peer-asn: 64512
              peer-address: 172.17.0.1
            """;

    @Test
    void appliesMetalLbDefaults() {
        ParsedConfigFile model = ParsedConfigFile.parse(ReferenceLab.CONFIG);

        assertThat(model.peers()).containsExactly(new Peer(64522, 64512, "172.17.0.1", 179, Duration.ofSeconds(90), null,
                List.of(NodeSelector.EVERYTHING), null));
        assertThat(model.pools()).containsOnlyKeys("my-ip-space");
        assertThat(model.pools().get("my-ip-space")).isEqualTo(new Pool("bgp", List.of(cidr("172.17.254.0/24")), true, true,
                List.of(new Advertisement(32, 0, Collections.emptySortedSet()))));
    }

    @Test
    void readsEveryFeatureOfMetalLbsOwnExample() {
        // MetalLB v0.7.3's "config using all features" test input, without its IPv6 pool (the lab is IPv4).
        ParsedConfigFile model = ParsedConfigFile.parse("""
                peers:
                - my-asn: 42
                  peer-asn: 142
                  peer-address: 1.2.3.4
                  peer-port: 1179
                  hold-time: 180s
                  router-id: 10.20.30.40
                - my-asn: 100
                  peer-asn: 200
                  peer-address: 2.3.4.5
                  node-selectors:
                  - match-labels:
                      foo: bar
                    match-expressions:
                      - {key: bar, operator: In, values: [quux]}
                bgp-communities:
                  bar: 64512:1234
                address-pools:
                - name: pool1
                  protocol: bgp
                  addresses:
                  - 10.20.0.0/16
                  - 10.50.0.0/24
                  avoid-buggy-ips: true
                  auto-assign: false
                  bgp-advertisements:
                  - aggregation-length: 32
                    localpref: 100
                    communities: ["bar", "1234:2345"]
                  - aggregation-length: 24
                - name: pool3
                  protocol: layer2
                  addresses:
                  - 40.0.0.0/25
                  - 40.0.0.150-40.0.0.200
                """);

        assertThat(model.peers()).containsExactly(
                new Peer(42, 142, "1.2.3.4", 1179, Duration.ofSeconds(180), "10.20.30.40", List.of(NodeSelector.EVERYTHING), null),
                new Peer(100, 200, "2.3.4.5", 179, Duration.ofSeconds(90), null,
                        List.of(new NodeSelector(new TreeSet<>(List.of("bar in (quux)", "foo=bar")))), null));
        assertThat(model.pools().get("pool1")).isEqualTo(new Pool("bgp", List.of(cidr("10.20.0.0/16"), cidr("10.50.0.0/24")), true, false,
                List.of(new Advertisement(32, 100, new TreeSet<>(List.of("64512:1234", "1234:2345"))),
                        new Advertisement(24, 0, Collections.emptySortedSet()))));
        assertThat(model.pools().get("pool3")).isEqualTo(new Pool("layer2", List.of(cidr("40.0.0.0/25"), cidr("40.0.0.150/31"),
                cidr("40.0.0.152/29"), cidr("40.0.0.160/27"), cidr("40.0.0.192/29"), cidr("40.0.0.200/32")), false, true, List.of()));
    }

    @Test
    void readsAnEmptyConfig() {
        assertThat(ParsedConfigFile.parse("")).isEqualTo(new ParsedConfigFile(List.of(), new java.util.TreeMap<>()));
    }

    @Test
    void truncatesSubSecondHoldTimesToZeroAsMetalLbDoes() {
        assertThat(ParsedConfigFile.parse(PEER + "  hold-time: 0.5s\n").peers().get(0).holdTime()).isZero();
        assertThat(ParsedConfigFile.parse(PEER + "  hold-time: 3.9s\n").peers().get(0).holdTime()).isEqualTo(Duration.ofSeconds(3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sameMeaning")
    void equalWhenMetalLbWouldActTheSame(String description, String a, String b) {
        assertThat(ParsedConfigFile.parse(a)).isEqualTo(ParsedConfigFile.parse(b));
    }

    static Stream<Arguments> sameMeaning() {
        return Stream.of(
                Arguments.of("defaults written out", ReferenceLab.CONFIG, """
                        peers:
                        - peer-address: 172.17.0.1
                          peer-asn: 64512
                          my-asn: 64522
                          peer-port: 179
                          hold-time: 90s
                          node-selectors:
                          - match-labels: {}
                        address-pools:
                        - name: my-ip-space
                          protocol: bgp
                          addresses: [172.17.254.0/24]
                          avoid-buggy-ips: true
                          auto-assign: true
                          bgp-advertisements:
                          - aggregation-length: 32
                            localpref: 0
                        """),
                Arguments.of("a range that is the CIDR", ReferenceLab.CONFIG, ReferenceLab.CONFIG.replace("172.17.254.0/24", "172.17.254.0-172.17.254.255")),
                Arguments.of("hold time spelled otherwise", PEER + "  hold-time: 90s\n", PEER + "  hold-time: 1m30s\n"),
                Arguments.of("hold time fraction", PEER + "  hold-time: 3s\n", PEER + "  hold-time: 3.5s\n"),
                Arguments.of("empty advertisement", pool("  bgp-advertisements:\n  -\n"), pool("")),
                Arguments.of("named or literal community",
                        "bgp-communities: {lab: '64512:1'}\n" + pool("  bgp-advertisements:\n  - communities: [lab]\n"),
                        pool("  bgp-advertisements:\n  - communities: ['64512:01']\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherMeaning")
    void differentWhenMetalLbWouldActOtherwise(String description, String changed) {
        assertThat(ParsedConfigFile.parse(changed)).isNotEqualTo(ParsedConfigFile.parse(ReferenceLab.CONFIG));
    }

    static Stream<Arguments> otherMeaning() {
        return Stream.of(
                Arguments.of("other port", ReferenceLab.CONFIG.replace("peer-address: 172.17.0.1", "peer-address: 172.17.0.1\n  peer-port: 1179")),
                Arguments.of("hold time 0", ReferenceLab.CONFIG.replace("peer-address: 172.17.0.1", "peer-address: 172.17.0.1\n  hold-time: 0s")),
                Arguments.of("no auto-assign", ReferenceLab.CONFIG.replace("protocol: bgp", "protocol: bgp\n  auto-assign: false")),
                Arguments.of("buggy IPs used", ReferenceLab.CONFIG.replace("avoid-buggy-ips: true", "avoid-buggy-ips: false")),
                Arguments.of("aggregated", ReferenceLab.CONFIG.replace("protocol: bgp", "protocol: bgp\n  bgp-advertisements:\n  - aggregation-length: 24")),
                Arguments.of("other addresses", ReferenceLab.CONFIG.replace("172.17.254.0/24", "172.17.254.0/25")),
                Arguments.of("layer2", ReferenceLab.CONFIG.replace("protocol: bgp", "protocol: layer2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWhatMetalLbRefuses(String description, String yaml, String inMessage) {
        assertThatThrownBy(() -> ParsedConfigFile.parse(yaml)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(inMessage);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("not YAML", "foo:<>$@$2r24j90", "could not parse config"),
                Arguments.of("unknown top-level key", ReferenceLab.CONFIG + "bgp-peers: []\n", "bgp-peers"),
                Arguments.of("misspelled pool key", ReferenceLab.CONFIG.replace("avoid-buggy-ips", "avoid-buggy-ip"), "avoid-buggy-ip"),
                Arguments.of("misspelled localpref", pool("  bgp-advertisements:\n  - localPref: 100\n"), "localPref"),
                Arguments.of("ASN as a string", PEER.replace("64522", "'64522'"), "could not parse config"),
                Arguments.of("missing my-asn", PEER.replace("my-asn: 64522", "peer-port: 179"), "peer #1: missing local ASN"),
                Arguments.of("missing peer-asn", PEER.replace("peer-asn: 64512", "peer-port: 179"), "missing peer ASN"),
                Arguments.of("ASN above 32 bits", PEER.replace("64512", "4294967296"), "4294967296"),
                Arguments.of("peer-address not an IP", PEER.replace("172.17.0.1", "1.2.3.400"), "invalid peer IP 1.2.3.400"),
                Arguments.of("hold-time not a duration", PEER + "  hold-time: foo\n", "invalid hold time foo"),
                Arguments.of("hold-time 1s", PEER + "  hold-time: 1s\n", "must be 0 or >=3s"),
                Arguments.of("hold-time 2.9s", PEER + "  hold-time: 2.9s\n", "must be 0 or >=3s"),
                Arguments.of("router-id not an IP", PEER + "  router-id: oh god how do I BGP\n", "invalid router ID"),
                Arguments.of("node selector of the wrong shape", PEER + "  node-selectors:\n  - match-labels:\n      foo:\n        bar: baz\n",
                        "could not parse config"),
                Arguments.of("node selector key", PEER + "  node-selectors:\n  - match-labels: {'-foo': bar}\n", "-foo"),
                Arguments.of("expression without key", PEER + "  node-selectors:\n  - match-expressions:\n    - {operator: In, values: [a]}\n",
                        "label key"),
                Arguments.of("expression without operator", PEER + "  node-selectors:\n  - match-expressions:\n    - {key: foo, values: [a]}\n",
                        "not a valid selector operator"),
                Arguments.of("expression with unknown operator",
                        PEER + "  node-selectors:\n  - match-expressions:\n    - {key: foo, operator: Surrounds, values: [a]}\n", "Surrounds"),
                Arguments.of("In without values", PEER + "  node-selectors:\n  - match-expressions:\n    - {key: foo, operator: In}\n",
                        "In needs values"),
                Arguments.of("pool without name", "address-pools:\n-\n", "address pool #1: missing pool name"),
                Arguments.of("pool without addresses", "address-pools:\n- name: pool1\n  protocol: bgp\n", "no prefixes"),
                Arguments.of("pool without protocol", "address-pools:\n- name: pool1\n  addresses: [10.0.0.0/8]\n", "missing the protocol"),
                Arguments.of("unknown protocol", "address-pools:\n- name: pool1\n  protocol: babel\n  addresses: [10.0.0.0/8]\n", "babel"),
                Arguments.of("bad CIDR", pool("").replace("172.17.254.0/24", "100.200.300.400/24"), "100.200.300.400/24"),
                Arguments.of("prefix /33", pool("").replace("172.17.254.0/24", "1.2.3.0/33"), "1.2.3.0/33"),
                Arguments.of("bad range", pool("").replace("172.17.254.0/24", "1.2.3.4-1.2.3"), "1.2.3.4-1.2.3"),
                Arguments.of("aggregation-length 33", pool("  bgp-advertisements:\n  - aggregation-length: 33\n"), "invalid aggregation length 33"),
                Arguments.of("aggregation-length shorter than a CIDR", """
                        address-pools:
                        - name: pool1
                          protocol: bgp
                          addresses:
                          - 10.20.30.40/24
                          - 1.2.3.0/28
                          bgp-advertisements:
                          - aggregation-length: 26
                        """, "prefix 1.2.3.0/28"),
                Arguments.of("aggregation of a range's /32", pool("  bgp-advertisements:\n  - aggregation-length: 31\n")
                        .replace("172.17.254.0/24", "172.17.254.10-172.17.254.20"), "prefix 172.17.254.20/32"),
                Arguments.of("community without value", pool("  bgp-advertisements:\n  - communities: ['1234']\n"), "1234"),
                Arguments.of("community ASN too big", pool("  bgp-advertisements:\n  - communities: ['99999999:1']\n"), "99999999:1"),
                Arguments.of("community value too big", pool("  bgp-advertisements:\n  - communities: ['1:99999999']\n"), "1:99999999"),
                Arguments.of("unknown community name", pool("  bgp-advertisements:\n  - communities: [flarb]\n"), "flarb"),
                Arguments.of("named community too big", "bgp-communities: {flarb: '99999999:1'}\n", "parsing community flarb"),
                Arguments.of("pool defined twice", pool("") + pool("").replace("address-pools:\n", "").replace("172.17.254.0/24", "10.0.0.0/8"),
                        "duplicate definition of pool pool1"),
                Arguments.of("same CIDR twice", pool("") + "- name: pool2\n  protocol: bgp\n  addresses: [172.17.254.0/24]\n",
                        "overlaps with already defined CIDR 172.17.254.0/24"),
                Arguments.of("CIDRs overlapping within a pool", pool("").replace("[172.17.254.0/24]", "[172.17.254.0/24, 172.17.254.128/25]"),
                        "CIDR 172.17.254.128/25 in pool pool1 overlaps"),
                Arguments.of("bgp-advertisements on layer2", pool("  bgp-advertisements:\n  - aggregation-length: 32\n")
                        .replace("protocol: bgp", "protocol: layer2"), "layer2"));
    }

    /** A bgp pool {@code pool1} on 172.17.254.0/24, followed by {@code more} lines of its own. */
    private static String pool(String more) {
        return "address-pools:\n- name: pool1\n  protocol: bgp\n  addresses: [172.17.254.0/24]\n" + more;
    }

    private static AddressBlocks.Cidr cidr(String cidr) {
        return AddressBlocks.split(Networks.parseCidrOrRange(cidr).orElseThrow()).get(0);
    }
}

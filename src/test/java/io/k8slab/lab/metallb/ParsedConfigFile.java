package io.k8slab.lab.metallb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.k8slab.lab.kube.GoDurations;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.metallb.AddressBlocks.Cidr;

/**
 * A MetalLB v0.7.3 config as MetalLB understands it: parsed with its rules (anything it would refuse throws
 * {@link IllegalArgumentException}) and normalized with its defaults, so that two configs are equal here exactly when
 * MetalLB would act the same on both, however they are spelled. Ranges become the CIDRs MetalLB splits them into,
 * named communities their values, selectors Kubernetes' requirement strings. Like the lab, IPv4 only.
 */
public record ParsedConfigFile(List<Peer> peers, SortedMap<String, Pool> pools) {

    public record Peer(long myAsn, long peerAsn, String peerAddress, int peerPort, Duration holdTime, String routerId,
            List<NodeSelector> nodeSelectors, String password) {
    }

    /** A label selector as its requirements ({@code foo=bar}, {@code bar in (quux)}); none selects every node. */
    public record NodeSelector(SortedSet<String> requirements) {
        public static final NodeSelector EVERYTHING = new NodeSelector(Collections.emptySortedSet());
    }

    public record Pool(String protocol, List<Cidr> cidrs, boolean avoidBuggyIPs, boolean autoAssign, List<Advertisement> advertisements) {
    }

    /** Communities as {@code asn:value}, however they were written. */
    public record Advertisement(int aggregationLength, long localPref, SortedSet<String> communities) {
    }

    private static final Advertisement DEFAULT_ADVERTISEMENT = new Advertisement(MetalLbModel.DEFAULT_AGGREGATION_LENGTH,
            MetalLbModel.DEFAULT_LOCAL_PREF, Collections.emptySortedSet());

    public static ParsedConfigFile parse(String yaml) {
        ConfigFile file = read(yaml);
        List<Peer> peers = new ArrayList<>();
        List<ConfigFile.Peer> rawPeers = orEmpty(file.peers());
        for (int i = 0; i < rawPeers.size(); i++) {
            ConfigFile.Peer raw = Objects.requireNonNullElse(rawPeers.get(i), new ConfigFile.Peer(null, null, null, null, null, null, null, null));
            peers.add(within("parsing peer #" + (i + 1), () -> peer(raw)));
        }
        Map<String, String> communities = new TreeMap<>();
        orEmpty(file.bgpCommunities()).forEach((name, value) -> communities.put(name, within("parsing community " + name,
                () -> community(value))));
        SortedMap<String, Pool> pools = new TreeMap<>();
        List<Cidr> defined = new ArrayList<>();
        List<ConfigFile.AddressPool> rawPools = orEmpty(file.addressPools());
        for (int i = 0; i < rawPools.size(); i++) {
            ConfigFile.AddressPool raw = Objects.requireNonNullElse(rawPools.get(i), new ConfigFile.AddressPool(null, null, null, null, null, null));
            Pool pool = within("parsing address pool #" + (i + 1), () -> pool(raw, communities));
            if (pools.containsKey(raw.name())) {
                throw fail("duplicate definition of pool " + raw.name());
            }
            for (Cidr cidr : pool.cidrs()) {
                defined.stream().filter(other -> other.range().overlaps(cidr.range())).findFirst().ifPresent(other -> {
                    throw fail("CIDR " + cidr + " in pool " + raw.name() + " overlaps with already defined CIDR " + other);
                });
                defined.add(cidr);
            }
            pools.put(raw.name(), pool);
        }
        return new ParsedConfigFile(List.copyOf(peers), Collections.unmodifiableSortedMap(pools));
    }

    /** The config as MetalLB would decode it: unknown keys and ill-typed values throw; an empty document is empty. */
    private static ConfigFile read(String yaml) {
        try {
            ConfigFile file = yaml.isBlank() ? null : ConfigFile.MAPPER.readValue(yaml, ConfigFile.class);
            return file == null ? new ConfigFile(null, null, null) : file;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("could not parse config: " + e.getOriginalMessage(), e);
        }
    }

    private static Peer peer(ConfigFile.Peer raw) {
        long myAsn = uint32(raw.myAsn(), "my-asn");
        long peerAsn = uint32(raw.peerAsn(), "peer-asn");
        if (myAsn == 0 || peerAsn == 0) {
            throw fail(myAsn == 0 ? "missing local ASN" : "missing peer ASN");
        }
        String address = ipv4(raw.peerAddress(), "invalid peer IP");
        int port = raw.peerPort() == null || raw.peerPort() == 0 ? MetalLbModel.DEFAULT_PEER_PORT : raw.peerPort();
        if (port < 0 || port > 65535) {
            throw fail("peer-port " + port + " is not a 16-bit number");
        }
        String routerId = isEmpty(raw.routerId()) ? null : ipv4(raw.routerId(), "invalid router ID");
        List<NodeSelector> selectors = orEmpty(raw.nodeSelectors()).isEmpty() ? List.of(NodeSelector.EVERYTHING)
                : orEmpty(raw.nodeSelectors()).stream().map(ParsedConfigFile::nodeSelector).toList();
        return new Peer(myAsn, peerAsn, address, port, holdTime(raw.holdTime()), routerId, selectors,
                isEmpty(raw.password()) ? null : raw.password());
    }

    private static Duration holdTime(String text) {
        if (isEmpty(text)) {
            return MetalLbModel.DEFAULT_HOLD_TIME;
        }
        Duration rounded = MetalLbRules.wholeSeconds(GoDurations.parse(text).orElseThrow(() -> fail("invalid hold time " + text)));
        if (!MetalLbRules.holdTimeAllowed(rounded)) {
            throw fail("invalid hold time " + text + ": must be 0 or >=3s");
        }
        return rounded;
    }

    private static NodeSelector nodeSelector(ConfigFile.NodeSelector raw) {
        if (raw == null) {
            return NodeSelector.EVERYTHING;
        }
        SortedSet<String> requirements = new TreeSet<>();
        orEmpty(raw.matchLabels()).forEach((key, given) -> {
            String value = Objects.toString(given, ""); // Go decodes a null string as ""
            check(MetalLbRules.labelKeyProblem(key).or(() -> MetalLbRules.labelValueProblem(value)));
            requirements.add(key + "=" + value);
        });
        for (ConfigFile.Requirement requirement : orEmpty(raw.matchExpressions())) {
            requirements.add(requirement(requirement));
        }
        return new NodeSelector(Collections.unmodifiableSortedSet(requirements));
    }

    private static String requirement(ConfigFile.Requirement raw) {
        String key = Objects.toString(raw.key(), "");
        SortedSet<String> values = new TreeSet<>(orEmpty(raw.values()));
        check(MetalLbRules.labelKeyProblem(key));
        values.forEach(value -> check(MetalLbRules.labelValueProblem(value)));
        String operator = Objects.toString(raw.operator(), "");
        boolean needsValues = operator.equals("In") || operator.equals("NotIn");
        if (!needsValues && !operator.equals("Exists") && !operator.equals("DoesNotExist")) {
            throw fail("parsing node selector: '" + operator + "' is not a valid selector operator");
        }
        if (needsValues == values.isEmpty()) {
            throw fail("parsing node selector: operator " + operator + (needsValues ? " needs" : " takes no") + " values");
        }
        return switch (operator) {
            case "In" -> key + " in (" + String.join(",", values) + ")";
            case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
            case "Exists" -> key;
            default -> "!" + key;
        };
    }

    private static void check(Optional<String> selectorProblem) {
        selectorProblem.ifPresent(problem -> {
            throw fail("parsing node selector: " + problem);
        });
    }

    private static Pool pool(ConfigFile.AddressPool raw, Map<String, String> communities) {
        if (isEmpty(raw.name())) {
            throw fail("missing pool name");
        }
        if (orEmpty(raw.addresses()).isEmpty()) {
            throw fail("pool has no prefixes defined");
        }
        List<Cidr> cidrs = new ArrayList<>();
        for (String address : raw.addresses()) {
            cidrs.addAll(Networks.parseCidrOrRange(address).map(AddressBlocks::split)
                    .orElseThrow(() -> fail("invalid CIDR " + address + " in pool " + raw.name())));
        }
        List<ConfigFile.BgpAdvertisement> advertisements = orEmpty(raw.bgpAdvertisements());
        String protocol = Objects.toString(raw.protocol(), "");
        switch (protocol) {
            case "layer2" -> {
                if (!advertisements.isEmpty()) {
                    throw fail("cannot have bgp-advertisements configuration element in a layer2 address pool");
                }
            }
            case "bgp" -> {
            }
            case "" -> throw fail("address pool is missing the protocol field");
            default -> throw fail("unknown protocol " + protocol);
        }
        List<Advertisement> parsed = protocol.equals("layer2") ? List.of()
                : advertisements.isEmpty() ? List.of(DEFAULT_ADVERTISEMENT)
                : advertisements.stream().map(ad -> advertisement(ad, cidrs, communities)).toList();
        return new Pool(protocol, List.copyOf(cidrs), Boolean.TRUE.equals(raw.avoidBuggyIps()),
                raw.autoAssign() == null || raw.autoAssign(), parsed);
    }

    private static Advertisement advertisement(ConfigFile.BgpAdvertisement raw, List<Cidr> cidrs, Map<String, String> communities) {
        if (raw == null) {
            return DEFAULT_ADVERTISEMENT;
        }
        int length = raw.aggregationLength() == null ? MetalLbModel.DEFAULT_AGGREGATION_LENGTH : raw.aggregationLength();
        if (length > 32) {
            throw fail("invalid aggregation length " + length);
        }
        cidrs.stream().filter(cidr -> length < cidr.prefixLength()).findFirst().ifPresent(cidr -> {
            throw fail("invalid aggregation length " + length + ": prefix " + cidr
                    + " in this pool is more specific than the aggregation length");
        });
        SortedSet<String> resolved = new TreeSet<>();
        for (String community : orEmpty(raw.communities())) {
            resolved.add(communities.containsKey(community) ? communities.get(community) : community(community));
        }
        return new Advertisement(length, raw.localpref() == null ? MetalLbModel.DEFAULT_LOCAL_PREF : uint32(raw.localpref(), "localpref"),
                Collections.unmodifiableSortedSet(resolved));
    }

    /** A community in canonical {@code asn:value} form. */
    private static String community(String text) {
        return MetalLbRules.community(text).map(MetalLbRules::formatCommunity)
                .orElseThrow(() -> fail("invalid community " + text + ": not asn:value with two 16-bit numbers"));
    }

    private static long uint32(Long value, String key) {
        if (value == null) {
            return 0;
        }
        if (value < 0 || value > MetalLbRules.MAX_UINT32) {
            throw fail(key + " " + value + " is not a 32-bit unsigned number");
        }
        return value;
    }

    private static String ipv4(String text, String problem) {
        return Networks.parseIPv4(text).map(Networks::format).orElseThrow(() -> fail(problem + " " + text));
    }

    /** Runs {@code parse}, prefixing any failure with where it happened, as MetalLB's messages do. */
    private static <T> T within(String context, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(context + ": " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException fail(String message) {
        return new IllegalArgumentException(message);
    }

    private static boolean isEmpty(String text) {
        return text == null || text.isEmpty();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}

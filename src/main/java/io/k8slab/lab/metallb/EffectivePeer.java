package io.k8slab.lab.metallb;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.kube.GoDurations;

/**
 * A peer as MetalLB uses it: defaults applied, the hold time in whole seconds, the selector sorted. Two peers that
 * are equal here open identical sessions, which is why the renderers keep only one of them and why the validator
 * calls any other difference between peers on the same address and port a conflict.
 */
record EffectivePeer(long myASN, long asn, String address, int port, Duration holdTime, String routerID,
        SortedMap<String, String> nodeSelector) {

    /** The effective peer of a spec that passed validation (ASNs present, hold time parseable). */
    static EffectivePeer of(BgpPeerPoolSpec spec, BgpPeer peer) {
        Duration holdTime = peer.holdTime == null ? MetalLbRules.DEFAULT_HOLD_TIME
                : MetalLbRules.wholeSeconds(GoDurations.parse(peer.holdTime).orElseThrow());
        return new EffectivePeer(spec.myASN, peer.asn, peer.address,
                peer.port == null ? MetalLbRules.DEFAULT_PEER_PORT : peer.port, holdTime, peer.routerID,
                peer.nodeSelector == null ? new TreeMap<>() : new TreeMap<>(peer.nodeSelector));
    }

    /** Where the sessions go: what makes two peers the same router. */
    String endpoint() {
        return endpoint(address, port);
    }

    static String endpoint(String address, int port) {
        return address + ":" + port;
    }

    /** The hold time as a Go duration, as MetalLB reads it. */
    String holdTimeText() {
        return holdTime.getSeconds() + "s";
    }

    /** The settings in which this peer differs from {@code other}, each as "name this vs other". */
    List<String> differences(EffectivePeer other) {
        Map<String, Object> mine = settings();
        Map<String, Object> theirs = other.settings();
        return mine.keySet().stream().filter(key -> !Objects.equals(mine.get(key), theirs.get(key)))
                .map(key -> key + " " + mine.get(key) + " vs " + theirs.get(key)).toList();
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("myASN", myASN);
        settings.put("asn", asn);
        settings.put("holdTime", holdTimeText());
        settings.put("routerID", routerID);
        settings.put("nodeSelector", nodeSelector);
        return settings;
    }
}

package io.k8slab.lab.metallb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpAdvertisement;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;

/**
 * The reference lab's BgpPeerPool (AS 64522 peering with rt-01, 172.17.0.1, AS 64512; pool my-ip-space,
 * 172.17.254.0/24) built the way a unit test meets it: everything with a default left null.
 */
public final class ReferenceLab {

    /** The ConfigMap a person would write for the reference lab, relying on MetalLB's defaults. */
    public static final String CONFIG = """
            peers:
            - my-asn: 64522
              peer-asn: 64512
              peer-address: 172.17.0.1
            address-pools:
            - name: my-ip-space
              protocol: bgp
              avoid-buggy-ips: true
              addresses:
              - 172.17.254.0/24
            """;

    private ReferenceLab() {
    }

    static BgpPeerPool pool(String name) {
        BgpPeerPoolSpec spec = new BgpPeerPoolSpec();
        spec.myASN = 64522L;
        spec.peers = new ArrayList<>(List.of(peer("rt-01", "172.17.0.1", 64512)));
        AddressPool pool = addressPool("my-ip-space", "172.17.254.0/24");
        pool.protocol = PoolProtocol.bgp;
        pool.avoidBuggyIPs = true;
        spec.addressPools = new ArrayList<>(List.of(pool));
        BgpPeerPool resource = new BgpPeerPool();
        resource.setMetadata(new ObjectMetaBuilder().withName(name).build());
        resource.setSpec(spec);
        return resource;
    }

    static BgpPeerPool pool(String name, Consumer<BgpPeerPoolSpec> edit) {
        BgpPeerPool pool = pool(name);
        edit.accept(pool.getSpec());
        return pool;
    }

    static BgpPeer peer(String name, String address, long asn) {
        BgpPeer peer = new BgpPeer();
        peer.name = name;
        peer.address = address;
        peer.asn = asn;
        return peer;
    }

    static AddressPool addressPool(String name, String... addresses) {
        AddressPool pool = new AddressPool();
        pool.name = name;
        pool.addresses = new ArrayList<>(Arrays.asList(addresses));
        return pool;
    }

    static BgpAdvertisement advertisement(Integer aggregationLength, String... communities) {
        BgpAdvertisement advertisement = new BgpAdvertisement();
        advertisement.aggregationLength = aggregationLength;
        advertisement.communities = communities.length == 0 ? null : List.of(communities);
        return advertisement;
    }

    /** The first peer and the first pool of a spec: what most edits change. */
    static BgpPeer firstPeer(BgpPeerPoolSpec spec) {
        return spec.peers.get(0);
    }

    static AddressPool firstPool(BgpPeerPoolSpec spec) {
        return spec.addressPools.get(0);
    }

    static LabNetworks networks() {
        LabNetworks networks = new LabNetworks();
        networks.nodeCIDR = "172.17.0.0/24";
        networks.podCIDR = "10.244.0.0/16";
        networks.serviceCIDR = "10.96.0.0/12";
        return networks;
    }
}

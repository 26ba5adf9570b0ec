package io.k8slab.lab.metallb.apply;

import java.util.List;
import java.util.Optional;

import io.k8slab.lab.api.v1alpha1.BgpPeerPool;

/**
 * Where MetalLB reads its configuration from, seen from one BgpPeerPool: the ConfigMap of v0.12 and older, or the
 * metallb.io custom resources of v0.13 and later. Each operation writes only what differs and says what it wrote.
 */
public interface ConfigWriter {

    /** One write the operator made to MetalLB's objects, for an Event. */
    record Write(String description, boolean repairedDrift) {
    }

    /**
     * @param writes what was written, empty when everything was already in force
     * @param hash SHA-256 of the configuration now in force
     * @param poolInForce whether some accepted spec of the pool is in force
     */
    record Outcome(List<Write> writes, String hash, boolean poolInForce) {
    }

    /** The other pools whose specs are in force for this target, to validate against. */
    List<BgpPeerPool> othersInForce(BgpPeerPool pool);

    /**
     * The pool's spec MetalLB runs now, when this kind of configuration keeps a copy of it (the ConfigMap does;
     * the metallb.io resources do not, so there it is empty and nothing is judged against it).
     */
    Optional<BgpPeerPool> lastAccepted(BgpPeerPool pool);

    /** Puts the pool's current (valid) spec in force with the others'. */
    Outcome accept(BgpPeerPool pool);

    /** Leaves the pool's last accepted spec in force (its current one is invalid), repairing drift only. */
    Outcome keep(BgpPeerPool pool);

    /** Takes the pool's spec out of force, leaving the others'. */
    Outcome remove(BgpPeerPool pool);
}

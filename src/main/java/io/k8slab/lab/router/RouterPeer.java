package io.k8slab.lab.router;

import java.time.Instant;

/**
 * One neighbor as the router reports it.
 *
 * @param address the neighbor's address (for the lab: a node's InternalIP)
 * @param asn the neighbor's AS number
 * @param description free text set when the neighbor was configured; lab-operator marks the neighbors it creates
 *        here (see {@link NeighborMarker})
 * @param state the BGP session state: Established, Active, Connect, Idle, OpenSent, OpenConfirm or Unknown
 * @param adminDown whether the neighbor is administratively shut down
 * @param since when the session entered its state: the uptime of an established session, else the time it went
 *        down; null when the router has never seen it up
 * @param prefixesReceived prefixes received from the neighbor (all address families)
 * @param prefixesAccepted of those, the ones accepted by the import policy
 */
public record RouterPeer(String address, long asn, String description, String state, boolean adminDown, Instant since,
        long prefixesReceived, long prefixesAccepted) {

    public static final String ESTABLISHED = "Established";

    public boolean established() {
        return ESTABLISHED.equals(state);
    }
}

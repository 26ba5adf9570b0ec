package io.k8slab.lab.cluster;

import java.util.List;
import java.util.Optional;

import io.k8slab.lab.join.IssuedToken;

/**
 * The token and CA hashes joins use now (empty when none is needed or none can be had), why joins cannot run
 * (if so), and what the TokenReady condition says.
 */
record TokenStep(Optional<IssuedToken> token, List<String> caCertHashes, Optional<String> blocked,
        boolean ready, String reason, String message) {
}

package io.k8slab.lab.join;

import java.util.List;

/**
 * Everything a node needs to join: where the API server is, the token and CA hashes for discovery, and what the
 * node is called and which address its kubelet uses. Its toString shows the token's Secret name, not the token.
 */
public record JoinRequest(String apiServerEndpoint, BootstrapToken token, List<String> caCertHashes, String nodeName,
        String nodeIp) {
}

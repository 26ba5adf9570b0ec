package io.k8slab.lab.cluster;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.join.BootstrapTokenIssuer;
import io.k8slab.lab.join.HostKeyPins;
import io.k8slab.lab.join.SshCredentials;
import io.k8slab.lab.join.SshTarget;

/**
 * Where each machine with work is reached over SSH and which host key it must show: known_hosts, or with
 * TrustOnFirstUse the key pinned earlier. A machine whose key is not known yet waits and gets nothing sent.
 */
final class ResolveMachines implements LabClusterPhase {

    @Override
    public String name() {
        return "check the machines' host keys";
    }

    @Override
    public void run(LabClusterScope scope) {
        scope.machines = machines(scope);
    }

    private static Machines machines(LabClusterScope scope) {
        SshAccess access = scope.access;
        ObservedNodes observed = scope.observed;
        if (access.credentials().isEmpty()) {
            return Machines.NONE;
        }
        EffectiveJoin.Ssh ssh = scope.settings.ssh().orElseThrow();
        HostKeyPins pins = new HostKeyPins(scope.client, scope.name);
        Map<String, String> pinned;
        try {
            pinned = ssh.trustOnFirstUse() ? pins.read() : Map.of();
        } catch (KubernetesClientException e) {
            String problem = "cannot read the host key pins in Secret " + BootstrapTokenIssuer.NAMESPACE + "/"
                    + HostKeyPins.secretName(scope.name) + ": " + StatusText.apiReason(e);
            Map<String, String> waits = new LinkedHashMap<>();
            observed.unjoined().forEach(n -> waits.put(n.name, problem));
            return new Machines(Map.of(), waits);
        }
        Map<String, String> addresses = new LinkedHashMap<>();
        observed.unjoined().forEach(n -> addresses.put(n.name, n.address));
        if (observed.resets()) {
            observed.dropped().forEach(n -> Optional.ofNullable(observed.previous().get(n.getMetadata().getName()))
                    .map(p -> p.address).ifPresent(a -> addresses.put(n.getMetadata().getName(), a)));
        }
        Map<String, SshTarget> targets = new HashMap<>();
        Map<String, String> waits = new LinkedHashMap<>();
        addresses.forEach((node, address) -> {
            SshCredentials.Target target = access.credentials().get().target(address, ssh.port(), ssh.user(), ssh.trustOnFirstUse(),
                    HostKeyPins.pin(pinned, node, address), pins.source(node, address), fingerprint -> pins.record(node, address, fingerprint));
            target.target().ifPresent(t -> targets.put(node, t));
            target.waiting().ifPresent(w -> waits.put(node, w));
        });
        return new Machines(targets, waits);
    }
}

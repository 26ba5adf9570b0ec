package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** SSH access to the lab's machines; the credentials live in a Secret, never in the spec. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SshSettings {

    /**
     * The schema's defaults, also for code that reads a spec the API server did not default (it defaults only
     * inside objects that are present).
     */
    public static final String DEFAULT_USER = "vagrant";
    public static final String DEFAULT_PORT = "22";
    public static final String DEFAULT_HOST_KEY_POLICY = "KnownHosts";

    @Default(DEFAULT_USER)
    @JsonPropertyDescription("The user to log in as; it must be allowed to run kubeadm through sudo without a password.")
    public String user;

    @Default(DEFAULT_PORT)
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("The SSH port on every machine.")
    public Integer port;

    @Required
    @JsonPropertyDescription("The Secret with keys 'ssh-privatekey' (PEM or OpenSSH private key) and 'known_hosts' "
            + "(OpenSSH format), the host keys of the machines.")
    public SecretReference secretRef;

    @Default(DEFAULT_HOST_KEY_POLICY)
    @JsonPropertyDescription("Which host keys are trusted. KnownHosts: only those known_hosts lists; a machine it does "
            + "not list is not contacted (no token goes to it) until it does. TrustOnFirstUse: for a machine known_hosts "
            + "does not list, the first key it shows is pinned in Secret kube-system/lab-host-keys-<LabCluster> and "
            + "enforced from then on; delete the pin to accept a rebuilt machine.")
    public HostKeyTrust hostKeyPolicy;
}

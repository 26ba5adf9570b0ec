package io.k8slab.lab.join;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.k8slab.lab.join.MachineRuns.Outcome;

/**
 * What a person would type on a worker, as MachineRuns tasks: check whether it already joined (or half-joined, then
 * reset it first), upload the
 * JoinConfiguration (mode 600, under the login user's home), run {@code sudo kubeadm join --config <file>}, remove
 * the file; or {@code sudo kubeadm reset -f} on a removed node. The token only travels on stdin and in the file,
 * so it never shows in the machine's process list. Failures come back as outcomes with kubeadm's last error lines,
 * scrubbed of the token.
 */
public final class KubeadmOverSsh {

    private static final String KUBELET_CONF = "/etc/kubernetes/kubelet.conf";
    private static final String CA_CERT = "/etc/kubernetes/pki/ca.crt";
    private static final String CONFIG_FILE = ".lab-operator/join.yaml";

    private static final String ALREADY_JOINED = "test -e " + KUBELET_CONF;
    /** What kubeadm's kubelet-start phase leaves behind: a join that failed after it fails every retry's preflight. */
    private static final String HALF_JOINED = "test -e " + CA_CERT;
    private static final String KUBEADM_RUNNING = "pgrep -x kubeadm";
    private static final String KUBEADM_VERSION = "kubeadm version -o short";
    private static final String UPLOAD = "umask 077 && mkdir -p .lab-operator && cat > " + CONFIG_FILE;
    private static final String JOIN = "sudo kubeadm join --config " + CONFIG_FILE;
    private static final String REMOVE_CONFIG = "rm -f " + CONFIG_FILE;
    private static final String RESET = "sudo kubeadm reset -f";

    private static final Duration QUICK = Duration.ofSeconds(30);
    /** kubeadm gives discovery 5 minutes and the kubelet's TLS bootstrap 4; past that it is not coming back. */
    private static final Duration KUBEADM = Duration.ofMinutes(10);
    private static final int ERROR_LINES = 5;
    private static final byte[] NO_INPUT = new byte[0];

    private final NodeShell.Factory shells;

    public KubeadmOverSsh(NodeShell.Factory shells) {
        this.shells = shells;
    }

    /**
     * Joins the machine. A machine an earlier join left half-joined ({@code pki/ca.crt} but no {@code kubelet.conf}),
     * or one whose last join "succeeded" without its Node ever registering ({@code resetFirst}), is cleaned with
     * {@code kubeadm reset -f} first, so kubeadm's preflight sees a clean machine and its error, if any, is the cause.
     */
    public Outcome join(SshTarget target, JoinRequest request, boolean resetFirst) {
        List<String> secrets = List.of(request.token().value(), request.token().secret());
        String fingerprint = null;
        try (NodeShell shell = shells.open(target)) {
            fingerprint = shell.hostKeyFingerprint();
            // In this order: a kubeadm that ends between the two looks has written kubelet.conf by then.
            if (shell.exec(KUBEADM_RUNNING, NO_INPUT, QUICK).succeeded()) {
                return Outcome.busy("kubeadm is already running on the machine (an earlier join?); waiting for it to end", fingerprint);
            }
            String cleaned = "";
            if (resetFirst) {
                cleaned = "the last join's Node never registered, so kubeadm reset -f ran first; ";
            } else if (shell.exec(ALREADY_JOINED, NO_INPUT, QUICK).succeeded()) {
                shell.exec(REMOVE_CONFIG, NO_INPUT, QUICK);
                return Outcome.done("already joined (" + KUBELET_CONF + " exists); waiting for the Node to register", fingerprint);
            } else if (shell.exec(HALF_JOINED, NO_INPUT, QUICK).succeeded()) {
                cleaned = "an earlier join left " + CA_CERT + " behind, so kubeadm reset -f ran first; ";
            }
            if (!cleaned.isEmpty()) {
                NodeShell.Result reset = shell.exec(RESET, NO_INPUT, KUBEADM);
                if (!reset.succeeded()) {
                    return Outcome.failed(cleaned.replace("ran first; ", "was needed first and failed: ") + describe(reset, secrets), fingerprint);
                }
            }
            NodeShell.Result version = shell.exec(KUBEADM_VERSION, NO_INPUT, QUICK);
            Optional<String> kubeadmVersion = version.succeeded() ? Optional.of(version.stdout().strip()) : Optional.empty();
            byte[] configuration = JoinConfigurationRenderer.render(request, kubeadmVersion).getBytes(StandardCharsets.UTF_8);
            NodeShell.Result upload = shell.exec(UPLOAD, configuration, QUICK);
            if (!upload.succeeded()) {
                return Outcome.failed(cleaned + "cannot upload the JoinConfiguration: " + describe(upload, secrets), fingerprint);
            }
            NodeShell.Result join;
            try {
                join = shell.exec(JOIN, NO_INPUT, KUBEADM);
            } finally {
                shell.exec(REMOVE_CONFIG, NO_INPUT, QUICK);
            }
            return join.succeeded()
                    ? Outcome.done(cleaned + "kubeadm join succeeded; waiting for the Node to register", fingerprint)
                    : Outcome.failed(cleaned + "kubeadm join failed: " + describe(join, secrets), fingerprint);
        } catch (HostKeyRejectedException e) {
            return Outcome.failed(e.getMessage(), null);
        } catch (IOException e) {
            return Outcome.failed(StderrScrubber.scrub(e.getMessage(), secrets), fingerprint);
        }
    }

    public Outcome reset(SshTarget target) {
        String fingerprint = null;
        try (NodeShell shell = shells.open(target)) {
            fingerprint = shell.hostKeyFingerprint();
            NodeShell.Result reset = shell.exec(RESET, NO_INPUT, KUBEADM);
            return reset.succeeded()
                    ? Outcome.done("kubeadm reset done", fingerprint)
                    : Outcome.failed("kubeadm reset failed: " + describe(reset, List.of()), fingerprint);
        } catch (HostKeyRejectedException e) {
            return Outcome.failed(e.getMessage(), null);
        } catch (IOException e) {
            return Outcome.failed(StderrScrubber.scrub(e.getMessage(), List.of()), fingerprint);
        }
    }

    private static String describe(NodeShell.Result result, List<String> secrets) {
        String exit = result.exitCode().isPresent() ? "exit status " + result.exitCode().getAsInt() : "no exit status (timed out or cut off)";
        String lines = StderrScrubber.lastLines(result.stderr().isBlank() ? result.stdout() : result.stderr(), ERROR_LINES, secrets);
        return lines.isEmpty() ? exit : exit + ": " + lines;
    }
}

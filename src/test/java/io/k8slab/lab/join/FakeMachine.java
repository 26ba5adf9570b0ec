package io.k8slab.lab.join;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A lab machine for tests: an in-process SSH server (Apache MINA SSHD) on its own loopback address that accepts
 * one user key and understands the few commands the operator sends, against a pretend file system. Its
 * {@code kubeadm join} reads the uploaded JoinConfiguration and does to the real API server what kubeadm would
 * ({@link KubeadmEmulator}). Every command line is recorded, as {@code ps} on the machine would have shown it.
 */
public final class FakeMachine implements AutoCloseable {

    public static final String USER = "lab";
    public static final String KUBELET_CONF = "/etc/kubernetes/kubelet.conf";
    public static final String CA_CERT = "/etc/kubernetes/pki/ca.crt";
    private static final Pattern TEST_FILE = Pattern.compile("^test -e (\\S+)$");
    private static final Pattern UPLOAD = Pattern.compile("^umask 077 && mkdir -p \\S+ && cat > (\\S+)$");
    private static final Pattern JOIN = Pattern.compile("^sudo kubeadm join --config (\\S+)$");
    private static final Pattern REMOVE = Pattern.compile("^rm -f (\\S+)$");

    /** How this machine's kubeadm behaves; tests change it while the machine runs. */
    public static final class Kubeadm {
        public volatile Duration joinTime = Duration.ZERO;
        /** How many joins fail (with {@link #failureStderr}) before one succeeds. */
        public volatile int failures;
        /** kubeadm's error output for a failure; {@code %TOKEN%} becomes the token it was given, as careless tools print. */
        public volatile String failureStderr = "[preflight] Running pre-flight checks\n"
                + "error execution phase preflight: [preflight] Some fatal errors occurred:\n"
                + "\t[ERROR Swap]: running with swap on is not supported. Please disable swap\n";
        public volatile String version = KubeadmInit.KUBERNETES_VERSION;
        /** A failing join fails after kubelet-start, as one that lost the API server there does: pki/ca.crt stays. */
        public volatile boolean failuresLeaveFiles;
        /** Whether the kubelet registers the Node after a join that succeeded (false: it never comes up). */
        public volatile boolean registers = true;
    }

    /** One kubeadm join: when it ran and whether it succeeded. */
    public record Run(Instant start, Instant end, boolean succeeded) {
    }

    public final Kubeadm kubeadm = new Kubeadm();
    private final String address;
    private final PublicKey authorizedUser;
    private final SshServer server;
    private volatile KeyPair hostKey;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Run> joins = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<byte[]> uploads = new CopyOnWriteArrayList<>();
    private final AtomicInteger kubeadmRunning = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();

    private FakeMachine(String address, int port, PublicKey authorizedUser) {
        this.address = address;
        this.authorizedUser = authorizedUser;
        this.hostKey = newKeyPair();
        server = SshServer.setUpDefaultServer();
        server.setHost(address);
        server.setPort(port);
        server.setKeyPairProvider(session -> List.of(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, this.authorizedUser));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new Shell(command));
    }

    /** One machine per address, all on the same free port (a LabCluster has one SSH port). */
    public static List<FakeMachine> start(List<String> addresses, PublicKey authorizedUser) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            List<FakeMachine> machines = new ArrayList<>();
            try {
                for (String address : addresses) {
                    FakeMachine machine = new FakeMachine(address, port, authorizedUser);
                    machines.add(machine);
                    machine.server.start();
                }
                return machines;
            } catch (IOException e) {
                machines.forEach(FakeMachine::close);
            }
        }
        throw new IllegalStateException("no free port for " + addresses);
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String address() {
        return address;
    }

    public int port() {
        return server.getPort();
    }

    /** The machine was wiped: no kubelet.conf, no leftovers of a join. */
    public void forgetJoin() {
        files.keySet().removeIf(f -> f.startsWith("/"));
    }

    /** The machine was rebuilt: it shows a new host key from now on. */
    public void changeHostKey() {
        hostKey = newKeyPair();
    }

    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(hostKey.getPublic());
    }

    /** This machine's line for a known_hosts file ({@code [address]:port key-type base64}). */
    public String knownHostsLine() {
        return "[" + address + "]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** Every command line the machine was asked to run, in order. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    public List<Run> joins() {
        return List.copyOf(joins);
    }

    /** Every file uploaded to the machine, in order. */
    public List<byte[]> uploads() {
        return List.copyOf(uploads);
    }

    public int resets() {
        return resets.get();
    }

    /** The files the operator left in the login user's home. */
    public List<String> leftoverFiles() {
        return files.keySet().stream().filter(f -> !f.startsWith("/")).toList();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            // a test machine that does not stop cleanly is no test failure
        }
    }

    /** One command: runs on its own thread, and keeps running if the client goes away (no pty, no SIGHUP). */
    private final class Shell implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        Shell(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit) {
            this.exit = exit;
        }

        @Override
        public void start(ChannelSession channel, Environment environment) {
            commands.add(command);
            Thread thread = new Thread(() -> {
                int status;
                StringBuilder stdout = new StringBuilder();
                StringBuilder stderr = new StringBuilder();
                try {
                    status = run(stdout, stderr);
                } catch (IOException | RuntimeException e) {
                    stderr.append(e).append('\n');
                    status = 1;
                }
                try {
                    out.write(stdout.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    err.write(stderr.toString().getBytes(StandardCharsets.UTF_8));
                    err.flush();
                } catch (IOException e) {
                    // the client is gone; the work is done anyway
                }
                exit.onExit(status);
            }, "fake-machine-" + address);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            // like a command started without a pty: it does not die with the session
        }

        private int run(StringBuilder stdout, StringBuilder stderr) throws IOException {
            Matcher m;
            if ((m = TEST_FILE.matcher(command)).matches()) {
                return files.containsKey(m.group(1)) ? 0 : 1;
            }
            if (command.equals("pgrep -x kubeadm")) {
                if (kubeadmRunning.get() > 0) {
                    stdout.append("4242\n");
                    return 0;
                }
                return 1;
            }
            if (command.equals("kubeadm version -o short")) {
                stdout.append(kubeadm.version).append('\n');
                return 0;
            }
            if ((m = UPLOAD.matcher(command)).matches()) {
                byte[] content = in.readAllBytes();
                uploads.add(content);
                files.put(m.group(1), content);
                return 0;
            }
            if ((m = REMOVE.matcher(command)).matches()) {
                files.remove(m.group(1));
                return 0;
            }
            if ((m = JOIN.matcher(command)).matches()) {
                return join(m.group(1), stdout, stderr);
            }
            if (command.equals("sudo kubeadm reset -f")) {
                resets.incrementAndGet();
                files.keySet().removeIf(f -> f.startsWith("/etc/kubernetes/"));
                stdout.append("[reset] Deleting contents of stateful directories\n");
                return 0;
            }
            stderr.append("bash: ").append(command.split(" ")[0]).append(": command not found\n");
            return 127;
        }

        private int join(String path, StringBuilder stdout, StringBuilder stderr) {
            Instant start = Instant.now();
            kubeadmRunning.incrementAndGet();
            boolean succeeded = false;
            try {
                byte[] file = files.get(path);
                if (file == null) {
                    stderr.append("unable to read config from \"").append(path).append("\": no such file or directory\n");
                    return 1;
                }
                KubeadmEmulator.Config config = KubeadmEmulator.parse(file, kubeadm.version);
                stdout.append("[preflight] Running pre-flight checks\n");
                if (files.containsKey(CA_CERT)) {
                    stderr.append("error execution phase preflight: [preflight] Some fatal errors occurred:\n"
                            + "\t[ERROR FileAvailable--etc-kubernetes-pki-ca.crt]: " + CA_CERT + " already exists\n");
                    return 1;
                }
                if (kubeadm.failures > 0) {
                    kubeadm.failures--;
                    Thread.sleep(kubeadm.joinTime.toMillis());
                    if (kubeadm.failuresLeaveFiles) {
                        files.put(CA_CERT, new byte[0]);
                    }
                    stderr.append(kubeadm.failureStderr.replace("%TOKEN%", config.token()));
                    return 1;
                }
                KubeadmEmulator.discover(config);
                // the whole join takes joinTime, checks included; the Node registers at its end
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), start.plus(kubeadm.joinTime)).toMillis()));
                if (kubeadm.registers) {
                    KubeadmEmulator.register(config, kubeadm.version);
                }
                files.put(KUBELET_CONF, new byte[0]);
                files.put(CA_CERT, new byte[0]);
                stdout.append("This node has joined the cluster\n");
                succeeded = true;
                return 0;
            } catch (KubeadmEmulator.JoinError e) {
                stderr.append(e.getMessage()).append('\n');
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } finally {
                kubeadmRunning.decrementAndGet();
                joins.add(new Run(start, Instant.now(), succeeded));
            }
        }
    }
}

package io.k8slab.lab.cluster;

import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.HOST_KEYS_KNOWN;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.NODES_JOINED;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.NODES_LABELED;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.READY;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.TOKEN_READY;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.VALID;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.api.v1alpha1.JoinTokenStatus;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterStatus;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.BootstrapTokenIssuer;
import io.k8slab.lab.join.ClusterDiscovery;
import io.k8slab.lab.join.HostKeyPins;
import io.k8slab.lab.join.IssuedToken;
import io.k8slab.lab.join.JoinRequest;
import io.k8slab.lab.join.Joiner;
import io.k8slab.lab.join.KubeadmOverSsh;
import io.k8slab.lab.join.NodeShell;
import io.k8slab.lab.join.SshCredentials;
import io.k8slab.lab.join.SshNodeShells;
import io.k8slab.lab.join.SshTarget;
import io.k8slab.lab.join.StderrScrubber;
import io.k8slab.lab.join.TokenRotation;
import io.k8slab.lab.kube.Backoff;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.GoDurations;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.kube.client.EventRecorder;
import io.k8slab.lab.kube.client.StatusPatch;
import io.k8slab.lab.metrics.LabMetrics;
import io.k8slab.lab.nodes.NodeDrainer;
import io.k8slab.lab.nodes.NodeLabeler;

/**
 * Brings the lab's cluster to what its LabCluster says, in the order a person would: check the spec, see which
 * nodes have registered, make sure there is a join token, start {@code kubeadm join} where it is needed (on an
 * executor: a join takes minutes and never holds this thread), label the registered nodes, drain and remove the
 * nodes dropped from the spec, and report where every node stands.
 */
@ControllerConfiguration(name = LabClusterReconciler.NAME)
// What it touches besides LabClusters is granted by deploy/operator/rbac.yaml (the tests run as that account):
// Nodes (watch, label, cordon, delete), pods (list) and pods/eviction, Secrets in kube-system (bootstrap tokens,
// the SSH key), ConfigMaps kube-public/cluster-info and kube-root-ca.crt, Events.
public class LabClusterReconciler implements Reconciler<LabCluster> {

    public static final String NAME = "labcluster";

    /** Neither the SSH Secret (its known_hosts) nor the published CA is watched: while one is missing, look again this often. */
    private static final Duration BLOCKED_RECHECK = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(LabClusterReconciler.class);
    /** kubeadm join returns once the kubelet's TLS bootstrap is done; its Node follows within seconds. */
    static final Duration REGISTRATION = Duration.ofMinutes(5);
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(10);
    /** A removed node's machine gets this many kubeadm reset runs; then the Node is deleted without one. */
    static final int RESET_ATTEMPTS = 5;

    private final Clock clock;
    private final Backoff backoff;
    private final Duration recheck;
    private final Duration registration;
    private final NodeShell.Factory shells;
    private final KubeadmOverSsh kubeadm;
    private final JoinEventSource joinEvents;
    private final Joiner joiner;
    private final NodeDrainer drainer = new NodeDrainer();
    private final NodeLabeler labeler = new NodeLabeler();
    /** cluster/node of the drains whose timeout was reported with an Event, so it is reported once. */
    private final Set<String> drainTimeoutsReported = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    private final LabMetrics metrics;

    public LabClusterReconciler() {
        this(Clock.systemUTC(), Joiner.defaultExecutor(), new SshNodeShells(), Backoff.DEFAULT, Duration.ofSeconds(5), REGISTRATION);
    }

    /**
     * For tests: the clock, where joins run, how machines are reached, how long to wait before looking again, and
     * how long a joined Node may take to register.
     */
    LabClusterReconciler(Clock clock, ExecutorService executor, NodeShell.Factory shells, Backoff backoff, Duration recheck,
            Duration registration) {
        this(clock, executor, shells, backoff, recheck, registration, LabMetrics.global());
    }

    /** As above, counting joins and tokens in {@code metrics}. */
    LabClusterReconciler(Clock clock, ExecutorService executor, NodeShell.Factory shells, Backoff backoff, Duration recheck,
            Duration registration, LabMetrics metrics) {
        this.metrics = metrics;
        this.clock = clock;
        this.backoff = backoff;
        this.recheck = recheck;
        this.registration = registration;
        this.shells = shells;
        this.kubeadm = new KubeadmOverSsh(shells);
        this.joiner = new Joiner(executor, clock, backoff, recheck, registration, this::wake, metrics);
        this.joinEvents = new JoinEventSource(this::forget, this::stop);
    }

    private void wake(String cluster) {
        joinEvents.propagateEvent(new ResourceID(cluster));
    }

    private void forget(String cluster) {
        joiner.forget(cluster);
    }

    /** The controller stops: SSH work, SSH client and the drain's client go with it. */
    private void stop() {
        joiner.close();
        shells.close();
        drainer.close();
        labeler.close();
    }

    @Override
    public List<EventSource<?, LabCluster>> prepareEventSources(EventSourceContext<LabCluster> context) {
        // Every Node event concerns every LabCluster: a lab has one or a few, and nodes are matched by name.
        var nodes = InformerEventSourceConfiguration.from(Node.class, LabCluster.class)
                .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(nodes, context), joinEvents);
    }

    @Override
    public UpdateControl<LabCluster> reconcile(LabCluster cluster, Context<LabCluster> context) {
        Instant now = clock.instant();
        KubernetesClient client = context.getClient();
        EventRecorder events = new EventRecorder(client);
        LabClusterStatus status = startStatus(cluster);

        List<Violation> violations = new ArrayList<>(LabClusterValidator.validate(cluster.getMetadata().getName(), cluster.getSpec()));
        violations.addAll(LabClusterValidator.claims(cluster, context.getPrimaryCache().list().toList()));
        if (!violations.isEmpty()) {
            reportInvalid(cluster, status, violations, now);
            UpdateControl<LabCluster> control = write(cluster, status);
            // Another LabCluster's edits wake nothing here: look again for the claim to be given up.
            if (violations.stream().anyMatch(v -> v.reason().equals(LabClusterValidator.CLAIMED))) {
                control.rescheduleAfter(BLOCKED_RECHECK);
            }
            return control;
        }
        Conditions.set(status.conditions, VALID, true, "Valid", "the spec passed validation", cluster.getMetadata().getGeneration(), now);

        EffectiveJoin settings = EffectiveJoin.of(cluster.getSpec().join);
        Observed observed = observe(cluster, allNodes(context));
        observed.unjoined().forEach(n -> joiner.expireUnregistered(cluster.getMetadata().getName(), n.name, now,
                "joined, but the Node did not register within " + words(registration) + " (is the kubelet running and "
                        + "reaching the API server? journalctl -u kubelet on the machine); the next attempt resets the machine first"));
        Access access = observed.needsSsh() ? sshAccess(settings, client) : Access.NOT_NEEDED;
        Machines machines = machines(cluster, client, observed, settings, access);
        TokenStep token = ensureToken(cluster, client, events, observed, settings, access, machines, now);
        startJoins(cluster, observed, settings, machines, token, now);
        Map<String, String> labelProblems = label(cluster, client, observed);
        List<NodeStatus> removals = remove(cluster, client, events, observed, settings, access, machines, now);

        report(cluster, status, observed, token, machines, labelProblems, removals, now);
        StatusEvents.between(cluster.getStatus(), status).forEach(e -> {
            if (e.warning()) {
                events.warning(cluster, e.reason(), e.message());
            } else {
                events.normal(cluster, e.reason(), e.message());
            }
        });
        UpdateControl<LabCluster> control = write(cluster, status);
        nextLook(cluster.getMetadata().getName(), token, settings, machines, removals, now).ifPresent(control::rescheduleAfter);
        return control;
    }

    // ---- observe -------------------------------------------------------------------------------------------

    /**
     * The registered Nodes by name; the spec's workers that have none (to be joined); the Nodes this LabCluster
     * labelled that left the spec (to be removed, unless the policy is Orphan); the previous status entries.
     */
    private record Observed(Map<String, Node> registered, List<LabNode> unjoined, List<Node> dropped,
            NodeRemovalPolicy removalPolicy, Map<String, NodeStatus> previous) {

        boolean needsSsh() {
            return !unjoined.isEmpty() || resets();
        }

        boolean resets() {
            return removalPolicy == NodeRemovalPolicy.DrainAndReset && !dropped.isEmpty();
        }
    }

    /**
     * Every Node in the informer's cache. Not {@code getSecondaryResources}: that index only links Nodes whose
     * events arrived while this LabCluster existed, and the control-plane Node is usually older than it.
     */
    private static List<Node> allNodes(Context<LabCluster> context) {
        var nodes = (InformerEventSource<Node, LabCluster>) context.eventSourceRetriever().getEventSourceFor(Node.class);
        return nodes.list(node -> true).toList();
    }

    private Observed observe(LabCluster cluster, List<Node> nodes) {
        String name = cluster.getMetadata().getName();
        Map<String, Node> registered = nodes.stream().collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity()));
        Set<String> inSpec = cluster.getSpec().nodes.stream().map(n -> n.name).collect(Collectors.toSet());
        List<LabNode> unjoined = cluster.getSpec().nodes.stream()
                .filter(n -> !n.role.isControlPlane() && !registered.containsKey(n.name))
                .toList();
        NodeRemovalPolicy policy = Optional.ofNullable(cluster.getSpec().nodeRemovalPolicy).orElse(NodeRemovalPolicy.Drain);
        // Control-plane nodes are never drained automatically: the operator itself may run there.
        List<Node> dropped = policy == NodeRemovalPolicy.Orphan ? List.of() : registered.values().stream()
                .filter(n -> n.getMetadata().getLabels() != null && name.equals(n.getMetadata().getLabels().get(NodeLabels.CLUSTER)))
                .filter(n -> !inSpec.contains(n.getMetadata().getName()))
                .filter(n -> Stream.of(NodeRole.values()).filter(NodeRole::isControlPlane)
                        .noneMatch(r -> n.getMetadata().getLabels().containsKey(NodeLabels.ROLE_PREFIX + r.label())))
                .toList();
        Map<String, NodeStatus> previous = cluster.getStatus() == null || cluster.getStatus().nodes == null ? Map.of()
                : cluster.getStatus().nodes.stream().collect(Collectors.toMap(n -> n.name, Function.identity(), (a, b) -> a));

        // A record goes once its node needs no SSH work and status holds what it knew (attempts, host key): a
        // status write can fail, and the reconcile that retries it must still know.
        Set<String> keep = new HashSet<>();
        unjoined.forEach(n -> keep.add(n.name));
        dropped.forEach(n -> keep.add(n.getMetadata().getName()));
        // A node gone from the spec and from the cluster takes its record along: added again, it starts afresh.
        joiner.records(name).forEach((node, record) -> {
            if (!recorded(record, previous.get(node)) && (inSpec.contains(node) || registered.containsKey(node))) {
                keep.add(node);
            }
        });
        joiner.retain(name, keep);
        unjoined.forEach(n -> restore(Optional.ofNullable(previous.get(n.name))).ifPresent(r -> joiner.seed(name, n.name, r)));
        return new Observed(registered, unjoined, dropped, policy, previous);
    }

    private static boolean recorded(Joiner.Record record, NodeStatus entry) {
        return !record.isRunning() && entry != null && Objects.equals(entry.attempts, record.attempts())
                && Objects.equals(entry.hostKeyFingerprint, record.hostKeyFingerprint());
    }

    /** After a restart, a join's bookkeeping from its status entry: a failure keeps its backoff, a join in flight is re-checked. */
    private Optional<Joiner.Record> restore(Optional<NodeStatus> entry) {
        if (entry.isEmpty() || entry.get().attempts == null || entry.get().lastAttemptTime == null) {
            return Optional.empty();
        }
        NodeStatus e = entry.get();
        Instant last;
        try {
            last = Instant.parse(e.lastAttemptTime);
        } catch (DateTimeParseException ex) {
            return Optional.empty();
        }
        return switch (e.phase) {
            case Failed -> Optional.of(new Joiner.Record(Joiner.Work.JOIN, Joiner.State.FAILED, e.attempts, last, e.message,
                    e.hostKeyFingerprint, last.plus(backoff.delay(e.attempts)), null, false));
            case Joining -> Optional.of(new Joiner.Record(Joiner.Work.JOIN, Joiner.State.BUSY, e.attempts, last,
                    "the operator restarted during this join; checking the machine", e.hostKeyFingerprint, last, null, false));
            default -> Optional.empty();
        };
    }

    // ---- SSH access -----------------------------------------------------------------------------------------

    /** The SSH credentials, or why the machines cannot be reached (said in status, never with the key). */
    private record Access(Optional<SshCredentials> credentials, Optional<String> problem) {
        static final Access NOT_NEEDED = new Access(Optional.empty(), Optional.empty());

        static Access problem(String problem) {
            return new Access(Optional.empty(), Optional.of(problem));
        }
    }

    private static Access sshAccess(EffectiveJoin settings, KubernetesClient client) {
        if (settings.ssh().isEmpty()) {
            return Access.problem("spec.join.ssh is not set, so the operator cannot reach the machines; join them by hand or set it");
        }
        EffectiveJoin.Ssh ssh = settings.ssh().get();
        try {
            Secret secret = client.secrets().inNamespace(ssh.secretNamespace()).withName(ssh.secretName()).get();
            if (secret == null) {
                return Access.problem("the SSH " + ssh.secretSource() + " does not exist");
            }
            return new Access(Optional.of(SshCredentials.parse(secret.getData(), ssh.secretSource())), Optional.empty());
        } catch (IllegalArgumentException e) {
            return Access.problem(e.getMessage());
        } catch (KubernetesClientException e) {
            return Access.problem("cannot read the SSH " + ssh.secretSource() + ": " + apiReason(e));
        }
    }

    // ---- host keys ------------------------------------------------------------------------------------------

    /**
     * The SSH target of every machine the operator has work on (unjoined nodes at their spec address, removed ones
     * at the address the spec last gave them), and, by node, why one must wait for its host key to be known.
     */
    private record Machines(Map<String, SshTarget> targets, Map<String, String> hostKeyWaits) {
        static final Machines NONE = new Machines(Map.of(), Map.of());
    }

    private static Machines machines(LabCluster cluster, KubernetesClient client, Observed observed, EffectiveJoin settings, Access access) {
        if (access.credentials().isEmpty()) {
            return Machines.NONE;
        }
        EffectiveJoin.Ssh ssh = settings.ssh().orElseThrow();
        HostKeyPins pins = new HostKeyPins(client, cluster.getMetadata().getName());
        Map<String, String> pinned;
        try {
            pinned = ssh.trustOnFirstUse() ? pins.read() : Map.of();
        } catch (KubernetesClientException e) {
            String problem = "cannot read the host key pins in Secret " + BootstrapTokenIssuer.NAMESPACE + "/"
                    + HostKeyPins.secretName(cluster.getMetadata().getName()) + ": " + apiReason(e);
            Map<String, String> waits = new java.util.LinkedHashMap<>();
            observed.unjoined().forEach(n -> waits.put(n.name, problem));
            return new Machines(Map.of(), waits);
        }
        Map<String, String> addresses = new java.util.LinkedHashMap<>();
        observed.unjoined().forEach(n -> addresses.put(n.name, n.address));
        if (observed.resets()) {
            observed.dropped().forEach(n -> Optional.ofNullable(observed.previous().get(n.getMetadata().getName()))
                    .map(p -> p.address).ifPresent(a -> addresses.put(n.getMetadata().getName(), a)));
        }
        Map<String, SshTarget> targets = new java.util.HashMap<>();
        Map<String, String> waits = new java.util.LinkedHashMap<>();
        addresses.forEach((node, address) -> {
            SshCredentials.Target target = access.credentials().get().target(address, ssh.port(), ssh.user(), ssh.trustOnFirstUse(),
                    HostKeyPins.pin(pinned, node, address), pins.source(node, address), fingerprint -> pins.record(node, address, fingerprint));
            target.target().ifPresent(t -> targets.put(node, t));
            target.waiting().ifPresent(w -> waits.put(node, w));
        });
        return new Machines(targets, waits);
    }

    // ---- token ----------------------------------------------------------------------------------------------

    /**
     * The token and CA hashes joins use now (empty when none is needed or none can be had), why joins cannot run
     * (if so), and the TokenReady condition.
     */
    private record TokenStep(Optional<IssuedToken> token, List<String> caCertHashes, Optional<String> blocked,
            boolean ready, String reason, String message) {
    }

    /** Why joins cannot run now: a condition reason and a message a person can act on. */
    private record Blocker(String reason, String message) {
    }

    /** The CA hashes joining nodes pin, or why joins cannot run now. */
    private record Prerequisites(List<String> caCertHashes, Optional<Blocker> blocker) {
        static final Prerequisites NONE = new Prerequisites(List.of(), Optional.empty());

        static Prerequisites blocked(String reason, String message) {
            return new Prerequisites(List.of(), Optional.of(new Blocker(reason, message)));
        }
    }

    private static Prerequisites prerequisites(Access access, KubernetesClient client) {
        if (access.problem().isPresent()) {
            return Prerequisites.blocked("WaitingForSshAccess", access.problem().get());
        }
        String published = ClusterDiscovery.NAMESPACE + "/" + ClusterDiscovery.CLUSTER_INFO + " or " + ClusterDiscovery.NAMESPACE + "/"
                + ClusterDiscovery.ROOT_CA;
        try {
            return ClusterDiscovery.caCertHashes(client).map(hashes -> new Prerequisites(hashes, Optional.empty()))
                    .orElseGet(() -> Prerequisites.blocked("ClusterCANotFound", "no cluster CA in " + published + "; nodes cannot pin it"));
        } catch (IllegalArgumentException e) {
            return Prerequisites.blocked("ClusterCANotFound", "the cluster CA in " + published + " is unreadable: " + e.getMessage());
        }
    }

    private TokenStep ensureToken(LabCluster cluster, KubernetesClient client, EventRecorder events, Observed observed,
            EffectiveJoin settings, Access access, Machines machines, Instant now) {
        String name = cluster.getMetadata().getName();
        Map<String, Joiner.Record> records = joiner.records(name);
        List<LabNode> waiting = observed.unjoined().stream()
                .filter(n -> Optional.ofNullable(records.get(n.name))
                        .map(r -> r.work() != Joiner.Work.JOIN || r.state() != Joiner.State.DONE).orElse(true))
                .toList();
        boolean pending = !waiting.isEmpty();
        Prerequisites prerequisites = pending ? prerequisites(access, client) : Prerequisites.NONE;
        if (prerequisites.blocker().isEmpty() && pending && waiting.stream().allMatch(n -> machines.hostKeyWaits().containsKey(n.name))) {
            // No machine may be contacted yet: a token would only wait; keep one that exists.
            prerequisites = Prerequisites.blocked("WaitingForHostKeys",
                    "every pending join waits for its machine's host key (see HostKeysKnown)");
        }
        Optional<Blocker> blocker = prerequisites.blocker();
        List<String> hashes = prerequisites.caCertHashes();
        boolean needed = pending && blocker.isEmpty();

        BootstrapTokenIssuer issuer = new BootstrapTokenIssuer(client, random);
        TokenRotation.Need need = needed ? TokenRotation.Need.USE : pending ? TokenRotation.Need.HOLD : TokenRotation.Need.NONE;
        TokenRotation.Plan plan = TokenRotation.plan(issuer.find(name), need, cluster.getMetadata().getUid(), settings.tokenTTL(),
                now, joiner.tokensInUse(name));
        for (IssuedToken old : plan.delete()) {
            issuer.delete(old);
            metrics.tokenDeleted();
            events.normal(cluster, "TokenDeleted", "deleted bootstrap token " + old.token().secretName() + ": "
                    + (needed ? "replaced by a fresh one" : pending ? "no longer fresh; a fresh one comes when joins can run"
                            : "no join is pending"));
        }
        Optional<IssuedToken> token = plan.use();
        if (plan.issue()) {
            try {
                token = Optional.of(issuer.issue(cluster, settings.tokenTTL(), now));
                metrics.tokenIssued();
                events.normal(cluster, "TokenIssued", "issued bootstrap token " + token.get().token().secretName()
                        + ", valid until " + token.get().expiration());
            } catch (KubernetesClientException e) {
                String problem = "cannot issue a bootstrap token: " + apiReason(e);
                return new TokenStep(Optional.empty(), hashes, Optional.of(problem), false, "IssueFailed", problem);
            }
        }
        if (!pending) {
            return new TokenStep(Optional.empty(), hashes, Optional.empty(), true, "NoJoinPending", "no join is pending; no bootstrap token is kept");
        }
        if (blocker.isPresent()) {
            return new TokenStep(Optional.empty(), hashes, blocker.map(Blocker::message), false, blocker.get().reason(),
                    (token.isPresent() ? "token kept, joins wait: " : "no token issued: ") + blocker.get().message());
        }
        IssuedToken issued = token.orElseThrow();
        return new TokenStep(token, hashes, Optional.empty(), true, "Issued", issued.token().secretName()
                + " in " + BootstrapTokenIssuer.NAMESPACE + ", valid until " + issued.expiration());
    }

    // ---- joins ----------------------------------------------------------------------------------------------

    /** Starts a join on each unjoined node that is due, up to the parallelism; each finishing run wakes the reconciler. */
    private void startJoins(LabCluster cluster, Observed observed, EffectiveJoin settings, Machines machines, TokenStep token, Instant now) {
        if (token.token().isEmpty()) {
            return;
        }
        String name = cluster.getMetadata().getName();
        IssuedToken issued = token.token().get();
        Map<String, Joiner.Record> records = joiner.records(name);
        for (LabNode node : observed.unjoined()) {
            if (joiner.running(name) >= settings.parallelism()) {
                return;
            }
            Joiner.Record record = records.get(node.name);
            SshTarget target = machines.targets().get(node.name);
            if (target == null || record != null && record.work() == Joiner.Work.JOIN && !record.isDue(now)) {
                continue;
            }
            JoinRequest request = new JoinRequest(cluster.getSpec().controlPlaneEndpoint, issued.token(), token.caCertHashes(),
                    node.name, node.address);
            boolean lookAgain = record != null && record.state() == Joiner.State.BUSY;
            boolean resetFirst = record != null && record.resetFirst();
            if (joiner.start(name, node.name, Joiner.Work.JOIN, settings.parallelism(), issued.token().id(),
                    () -> kubeadm.join(target, request, resetFirst))) {
                LOG.logf(lookAgain ? Logger.Level.DEBUG : Logger.Level.INFO, "LabCluster %s: %s %s (%s)", name,
                        lookAgain ? "looking again at" : "joining", node.name, target);
            }
        }
    }

    // ---- labels ---------------------------------------------------------------------------------------------

    /** Applies the owned labels to every registered spec node; returns the nodes it could not label, with why. */
    private Map<String, String> label(LabCluster cluster, KubernetesClient client, Observed observed) {
        String name = cluster.getMetadata().getName();
        List<NodeLabeler.Labelling> labellings = cluster.getSpec().nodes.stream()
                .filter(node -> observed.registered().containsKey(node.name))
                .map(node -> new NodeLabeler.Labelling(observed.registered().get(node.name), NodeLabels.owned(node, name)))
                .toList();
        NodeLabeler.Result result = labeler.applyAll(client, labellings);
        if (!result.written().isEmpty()) {
            LOG.infof("LabCluster %s: labelled %s", name, result.written().size() <= 10 ? String.join(", ", result.written())
                    : result.written().size() + " nodes");
        }
        Map<String, String> problems = new java.util.HashMap<>();
        result.failed().forEach((node, e) -> problems.put(node, "cannot label the Node: " + apiReason(e)));
        return problems;
    }

    // ---- removal --------------------------------------------------------------------------------------------

    /**
     * Drains each Node dropped from the spec, resets its machine when the policy says so, then deletes it. Returns
     * the status entries of the nodes still being removed.
     */
    private List<NodeStatus> remove(LabCluster cluster, KubernetesClient client, EventRecorder events, Observed observed,
            EffectiveJoin settings, Access access, Machines machines, Instant now) {
        String name = cluster.getMetadata().getName();
        Map<String, Joiner.Record> records = joiner.records(name);
        Duration drainTimeout = Optional.ofNullable(cluster.getSpec().nodeDrainTimeout).flatMap(GoDurations::parse).orElse(DEFAULT_DRAIN_TIMEOUT);
        List<NodeStatus> removing = new ArrayList<>();
        for (Node node : observed.dropped()) {
            String nodeName = node.getMetadata().getName();
            Optional<Joiner.Record> reset = Optional.ofNullable(records.get(nodeName)).filter(r -> r.work() == Joiner.Work.RESET);
            NodeStatus entry = removalEntry(nodeName, reset, Optional.ofNullable(observed.previous().get(nodeName)), now);
            try {
                NodeDrainer.Progress drain = drainer.drain(client, node);
                boolean timedOut = !drain.drained() && !now.isBefore(since(entry.removingSince, now).plus(drainTimeout));
                if (!drain.drained() && !timedOut) {
                    entry.message = drain.message();
                    removing.add(entry);
                    continue;
                }
                String drained = timedOut ? "not drained within " + words(drainTimeout) : "drained";
                if (timedOut && drainTimeoutsReported.add(name + "/" + nodeName)) {
                    events.warning(cluster, "DrainTimedOut", nodeName + " was not drained within " + words(drainTimeout)
                            + " (" + drain.message() + "); deleting the Node anyway, the pods left there go with it");
                }
                boolean resetDone = reset.map(r -> r.state() == Joiner.State.DONE).orElse(false);
                Optional<String> abandoned = observed.removalPolicy() != NodeRemovalPolicy.DrainAndReset || resetDone ? Optional.empty()
                        : resetAbandoned(nodeName, reset, machines);
                if (observed.removalPolicy() == NodeRemovalPolicy.DrainAndReset && !resetDone && abandoned.isEmpty()) {
                    entry.message = drained + "; " + resetMachine(cluster, node, reset, settings, access, machines, now);
                    removing.add(entry);
                    continue;
                }
                abandoned.ifPresent(why -> events.warning(cluster, "ResetAbandoned", nodeName + ": " + why
                        + "; deleting the Node without a reset: run sudo kubeadm reset -f on the machine by hand"));
                NodeDrainer.delete(client, nodeName);
                drainTimeoutsReported.remove(name + "/" + nodeName);
                events.normal(cluster, "NodeRemoved", nodeName + " left the spec: " + drained
                        + (resetDone ? ", reset with kubeadm reset" : "") + " and deleted");
            } catch (KubernetesClientException e) {
                entry.message = "cannot drain: " + apiReason(e);
                removing.add(entry);
            }
        }
        return removing;
    }

    /** Why a removed node's reset is given up: its runs failed too often, or where the spec put it is unknown. */
    private static Optional<String> resetAbandoned(String node, Optional<Joiner.Record> reset, Machines machines) {
        if (reset.isPresent() && reset.get().state() == Joiner.State.FAILED && reset.get().attempts() >= RESET_ATTEMPTS) {
            return Optional.of("kubeadm reset failed " + reset.get().attempts() + " times (last: " + reset.get().message() + ")");
        }
        if (!machines.targets().containsKey(node) && !machines.hostKeyWaits().containsKey(node) && reset.isEmpty()
                && machines != Machines.NONE) {
            return Optional.of("the address the spec gave it is not known (its status entry is gone), so there is nowhere to reset");
        }
        return Optional.empty();
    }

    private static Instant since(String timestamp, Instant now) {
        try {
            return timestamp == null ? now : Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return now;
        }
    }

    private static NodeStatus removalEntry(String name, Optional<Joiner.Record> reset, Optional<NodeStatus> previous, Instant now) {
        NodeStatus entry = new NodeStatus();
        entry.name = name;
        entry.phase = NodePhase.Removing;
        entry.attempts = reset.map(Joiner.Record::attempts).orElse(null);
        entry.lastAttemptTime = reset.map(r -> NodeObservation.timestamp(r.lastAttempt())).orElse(null);
        entry.hostKeyFingerprint = reset.map(Joiner.Record::hostKeyFingerprint).or(() -> previous.map(p -> p.hostKeyFingerprint)).orElse(null);
        entry.kubeletVersion = previous.map(p -> p.kubeletVersion).orElse(null);
        entry.address = previous.map(p -> p.address).orElse(null);
        entry.removingSince = previous.filter(p -> p.phase == NodePhase.Removing).map(p -> p.removingSince)
                .orElse(NodeObservation.timestamp(now));
        return entry;
    }

    /** Runs (or waits for) {@code kubeadm reset -f} on a drained node; returns its progress in words. */
    private String resetMachine(LabCluster cluster, Node node, Optional<Joiner.Record> reset, EffectiveJoin settings, Access access,
            Machines machines, Instant now) {
        if (reset.isPresent() && !reset.get().isDue(now)) {
            return reset.get().isRunning() ? "running kubeadm reset" : reset.get().message();
        }
        if (access.credentials().isEmpty()) {
            return "cannot run kubeadm reset: " + access.problem().orElse("no SSH access");
        }
        String nodeName = node.getMetadata().getName();
        // The address the spec gave (machines() took it from the status entry), never the one the Node reports: a
        // worker claiming 172.17.0.10 must not get the control plane reset.
        SshTarget target = machines.targets().get(nodeName);
        if (target == null) {
            return "cannot run kubeadm reset: " + machines.hostKeyWaits().getOrDefault(nodeName, "no SSH target");
        }
        boolean started = joiner.start(cluster.getMetadata().getName(), nodeName, Joiner.Work.RESET, settings.parallelism(), null,
                () -> kubeadm.reset(target));
        return started ? "running kubeadm reset" : "waiting for a free slot to run kubeadm reset";
    }

    // ---- report ---------------------------------------------------------------------------------------------

    private void report(LabCluster cluster, LabClusterStatus status, Observed observed, TokenStep token, Machines machines,
            Map<String, String> labelProblems, List<NodeStatus> removals, Instant now) {
        String name = cluster.getMetadata().getName();
        Long generation = cluster.getMetadata().getGeneration();
        Map<String, Joiner.Record> records = joiner.records(name);
        Set<String> unjoined = observed.unjoined().stream().map(n -> n.name).collect(Collectors.toSet());
        List<NodeStatus> nodes = new ArrayList<>();
        for (LabNode node : cluster.getSpec().nodes) {
            Optional<Node> registered = Optional.ofNullable(observed.registered().get(node.name));
            boolean labelled = registered.map(n -> !labelProblems.containsKey(node.name)).orElse(false);
            NodeStatus entry = NodeObservation.observe(new NodeObservation.Facts(node, registered, labelled,
                    Optional.ofNullable(records.get(node.name)).filter(r -> r.work() == Joiner.Work.JOIN),
                    unjoined.contains(node.name)
                            ? Optional.ofNullable(machines.hostKeyWaits().get(node.name)).or(token::blocked) : Optional.empty(),
                    Optional.ofNullable(observed.previous().get(node.name))));
            if (labelProblems.containsKey(node.name)) {
                entry.message = labelProblems.get(node.name);
            }
            nodes.add(entry);
        }
        status.nodes = new ArrayList<>(nodes);
        status.nodes.addAll(removals);
        status.joinToken = token.token().map(t -> {
            JoinTokenStatus joinToken = new JoinTokenStatus();
            joinToken.secretName = t.token().secretName();
            joinToken.expiresAt = t.expiration().toString();
            return joinToken;
        }).orElse(null);

        Conditions.set(status.conditions, TOKEN_READY, token.ready(), token.reason(), token.message(), generation, now);
        Map<String, String> waits = machines.hostKeyWaits();
        Conditions.set(status.conditions, HOST_KEYS_KNOWN, waits.isEmpty(), waits.isEmpty() ? "NoneMissing" : "HostKeyUnknown",
                waits.isEmpty() ? "every machine the operator has work on has a host key it trusts"
                        : "not contacted until their host keys are known: " + String.join(", ", waits.keySet()) + "; "
                                + waits.values().iterator().next(),
                generation, now);
        summarize(nodes, removals, labelProblems, status, generation, now);
    }

    private static void summarize(List<NodeStatus> nodes, List<NodeStatus> removals, Map<String, String> labelProblems,
            LabClusterStatus status, Long generation, Instant now) {
        int desired = nodes.size();
        long registered = nodes.stream().filter(n -> n.phase == NodePhase.Ready || n.phase == NodePhase.Registered).count();
        int ready = (int) nodes.stream().filter(n -> n.phase == NodePhase.Ready).count();
        boolean failing = nodes.stream().anyMatch(n -> n.phase == NodePhase.Failed);
        status.desiredNodes = desired;
        status.readyNodes = ready;
        status.ready = ready + "/" + desired;

        String waiting = nodes.stream().filter(n -> n.phase != NodePhase.Ready && n.phase != NodePhase.Registered)
                .map(n -> n.name + " (" + n.phase + ")").collect(Collectors.joining(", "));
        Conditions.set(status.conditions, NODES_JOINED, registered == desired,
                registered == desired ? "AllRegistered" : failing ? "JoinFailing" : "NodesNotRegistered",
                registered + " of " + desired + " nodes registered" + (waiting.isEmpty() ? "" : "; waiting for " + waiting),
                generation, now);
        Conditions.set(status.conditions, NODES_LABELED, labelProblems.isEmpty(),
                labelProblems.isEmpty() ? "Labeled" : "LabelsNotApplied",
                labelProblems.isEmpty() ? "every registered node carries its labels"
                        : "not labelled: " + String.join(", ", new java.util.TreeSet<>(labelProblems.keySet())),
                generation, now);
        String notReady = nodes.stream().filter(n -> n.phase != NodePhase.Ready).map(n -> n.name).collect(Collectors.joining(", "));
        String leaving = removals.stream().map(n -> n.name).collect(Collectors.joining(", "));
        boolean allReady = ready == desired && removals.isEmpty();
        Conditions.set(status.conditions, READY, allReady,
                allReady ? "AllNodesReady" : ready != desired ? "NodesNotReady" : "NodesBeingRemoved",
                allReady ? "all " + desired + " nodes are Ready and labelled"
                        : ready != desired ? "waiting for " + notReady : "removing " + leaving,
                generation, now);
        status.phase = allReady ? "Ready" : failing ? "Degraded"
                : nodes.stream().anyMatch(n -> n.phase != NodePhase.Pending) || !removals.isEmpty() ? "Joining" : "Pending";
    }

    /** When to look again without an event: a retry coming due, a drain to re-check, a token to renew, a missing prerequisite. */
    private Optional<Duration> nextLook(String name, TokenStep token, EffectiveJoin settings, Machines machines, List<NodeStatus> removals,
            Instant now) {
        Stream<Duration> retries = joiner.records(name).values().stream()
                .filter(r -> !r.isRunning() && r.retryAt() != null && r.retryAt().isAfter(now))
                .map(r -> Duration.between(now, r.retryAt()));
        Stream<Duration> drains = removals.isEmpty() ? Stream.empty() : Stream.of(recheck);
        Stream<Duration> renewal = token.token().map(t -> Duration.between(now, t.renewAt(settings.tokenTTL()))).stream();
        Stream<Duration> blocked = token.blocked().isPresent() || !machines.hostKeyWaits().isEmpty() ? Stream.of(BLOCKED_RECHECK) : Stream.empty();
        return Stream.of(retries, drains, renewal, blocked).flatMap(Function.identity())
                .map(d -> d.isNegative() ? Duration.ZERO : d)
                .min(Duration::compareTo);
    }

    // ---- status plumbing ------------------------------------------------------------------------------------

    private static LabClusterStatus startStatus(LabCluster cluster) {
        LabClusterStatus status = new LabClusterStatus();
        if (cluster.getStatus() != null) {
            status.conditions = new ArrayList<>(cluster.getStatus().conditions);
            status.joinToken = cluster.getStatus().joinToken;
        }
        status.observedGeneration = cluster.getMetadata().getGeneration();
        return status;
    }

    private static void reportInvalid(LabCluster cluster, LabClusterStatus status, List<Violation> violations, Instant now) {
        Long generation = cluster.getMetadata().getGeneration();
        Conditions.set(status.conditions, VALID, false, violations.get(0).reason(), Violation.summarize(violations), generation, now);
        Conditions.set(status.conditions, READY, false, "Invalid", "the spec is invalid; nothing was changed", generation, now);
        status.phase = "Invalid";
        if (cluster.getStatus() != null) {
            // Keep reporting the last known node picture: nothing was acted on.
            status.nodes = cluster.getStatus().nodes;
            status.ready = cluster.getStatus().ready;
            status.readyNodes = cluster.getStatus().readyNodes;
            status.desiredNodes = cluster.getStatus().desiredNodes;
        }
    }

    /** {@code 90s}, {@code 5m}: durations as the spec writes them. */
    static String words(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 && seconds > 0 ? seconds / 60 + "m" : seconds + "s";
    }

    /** The API server's reason for a failed call, without the request (which may carry a token). */
    private static String apiReason(KubernetesClientException e) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : "HTTP " + e.getCode();
        return StderrScrubber.scrub(reason, List.of());
    }

    private static UpdateControl<LabCluster> write(LabCluster cluster, LabClusterStatus status) {
        return StatusPatch.write(cluster, status, LabCluster::new);
    }
}

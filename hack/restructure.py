#!/usr/bin/env python3
"""Issue 15's package moves, done mechanically so they can be redone on a newer main.

Run from the repository root on a clean tree: python3 hack/restructure.py
It git-mv's classes into their new packages, moves the condition names out of the reconcilers into the API
package, rewrites package and import statements and fully qualified names in src/, adds the imports that
same-package references need once the packages differ, and drops imports of a file's own package. It changes
nothing else, so whatever the compiler then reports is listed and fixed by hand.

Where the API types are:
  - every class reachable from a CustomResource subclass through the classes of its own package (so a status
    type added later moves too; the script names each one it found beyond API_TYPES);
  - plus API_TYPES, the types the CRD schema uses from other packages.
"""
import os
import re
import subprocess
import sys

BASE = "io.k8slab.lab"
API = BASE + ".api.v1alpha1"
ROOTS = ["src/main/java", "src/test/java"]

# Types of the CRD schema outside the CustomResource's own package.
API_TYPES = {
    "kube.Patterns": API,
}

# Everything else that moves, by old simple location -> new package. Their tests (<Name>Test, <Name>*Test,
# <Name>*IT in the old test package) move with them.
MOVES = {
    # Retry timing shared by both reconcilers and the Joiner: a pure helper, not part of joining.
    "join.Backoff": BASE + ".kube",
    # The reconcilers' writes to the API server (status patches, Events) leave the pure helpers in kube.
    "kube.EventRecorder": BASE + ".kube.client",
    "kube.StatusPatch": BASE + ".kube.client",
    "kube.StatusDiff": BASE + ".kube.client",
    # What writes MetalLB into the cluster, apart from the rules and renderers that decide what to write.
    "metallb.MetalLbInstallation": BASE + ".metallb.apply",
    "metallb.InstallationChecks": BASE + ".metallb.apply",
    "metallb.MetalLbConfiguration": BASE + ".metallb.apply",
    "metallb.MetalLbConfigMapConfiguration": BASE + ".metallb.apply",
    "metallb.MetalLbCrdConfiguration": BASE + ".metallb.apply",
    "metallb.WebhookNotReadyException": BASE + ".metallb.apply",
    # The lab's Micrometer meters, recorded by the Joiner as well as the reconcilers: an adapter, not wiring.
    "operator.LabMetrics": BASE + ".metrics",
    # The gRPC client of gobgpd; the router package keeps the interface and the values the route rules use.
    "router.GobgpRouterClient": BASE + ".router.gobgp",
    "router.RouterClients": BASE + ".router.gobgp",
}

# Tests stay where their fixtures are for these (the router's network-namespace fixtures are package-private).
TESTS_STAY = {"router.GobgpRouterClient", "router.RouterClients"}

# Package-private members that tests in the old package use, made public: (class after the move, member).
WIDEN = [
    (BASE + ".router.gobgp.GobgpRouterClient", "toPeer"),  # GobgpMessagesTest
    (BASE + ".router.gobgp.GobgpRouterClient", "addRoutes"),  # GobgpMessagesTest, RouteRefreshBenchmarkTest
]

# Test-only code in src/main moves to src/test, same package.
TO_TEST = ["metallb.MetalLbConfigModel"]  # the tests' model of MetalLB v0.7.3's parser

# Renames, by the class's name after the moves.
RENAMES = {
    API + ".MetalLBTarget": "MetalLbTarget",  # like every other MetalLb* type
}

# Condition types (and the reasons declared with them) move from each reconciler into the API package.
CONDITIONS = {
    "cluster.LabClusterReconciler": ("LabClusterConditions", "The condition types of a LabCluster's status.",
        ["VALID", "TOKEN_READY", "HOST_KEYS_KNOWN", "NODES_JOINED", "NODES_LABELED", "READY"]),
    "bgp.BgpPeerPoolReconciler": ("BgpPeerPoolConditions",
        "The condition types of a BgpPeerPool's status, and the reasons tests and clients look for.",
        ["VALID", "CONFIG_APPLIED", "METALLB_AVAILABLE", "PEERS_ESTABLISHED", "ROUTES_CONVERGED", "READY",
         "WEBHOOK_NOT_READY", "NAMESPACE_NOT_ALLOWED"]),
}


def sh(*args):
    subprocess.run(args, check=True)


def path_of(root, fqcn):
    return os.path.join(root, fqcn.replace(".", "/") + ".java")


def java_files():
    for root in ROOTS:
        for d, _, files in os.walk(root):
            for f in sorted(files):
                if f.endswith(".java"):
                    yield os.path.join(d, f)


def fqcn_of(path):
    for root in ROOTS:
        if path.startswith(root + "/"):
            return path[len(root) + 1:-len(".java")].replace("/", ".")
    raise ValueError(path)


def split(fqcn):
    pkg, _, name = fqcn.rpartition(".")
    return pkg, name


STRIP = re.compile(r'//[^\n]*|/\*.*?\*/|"""(?:.|\n)*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def code_of(text):
    """The text without comments and literals, so only code names count."""
    return STRIP.sub(" ", text)


def names_used(text):
    return set(re.findall(r"\b[A-Z][A-Za-z0-9_]*\b", code_of(text)))


def api_closure():
    """Every class reachable from a CustomResource subclass through the names of its package and the lab
    classes it imports, except API_TYPES (they move, but what they use does not)."""
    listed = {BASE + "." + k for k in API_TYPES}
    todo = [fqcn_of(p) for p in java_files() if p.startswith("src/main/java/")
            and re.search(r"\bclass\s+\w+\s+extends\s+CustomResource\s*<", open(p).read())]
    found = set()
    while todo:
        fqcn = todo.pop()
        if fqcn in found or fqcn in listed:
            continue
        found.add(fqcn)
        pkg = split(fqcn)[0]
        body = open(path_of("src/main/java", fqcn)).read()
        for used in names_used(body):
            if os.path.exists(path_of("src/main/java", pkg + "." + used)):
                todo.append(pkg + "." + used)
        for ipkg, iname in re.findall(r"^import\s+(" + re.escape(BASE) + r"[\w.]*)\.([A-Z]\w*);", body, re.M):
            if os.path.exists(path_of("src/main/java", ipkg + "." + iname)):
                todo.append(ipkg + "." + iname)
    return found


def main():
    if subprocess.run(["git", "diff", "--quiet", "HEAD"]).returncode != 0:
        sys.exit("restructure: the tree has changes; commit or stash them first")

    before = {}  # fqcn -> package, every top-level class in src/ before the moves
    for path in java_files():
        before[fqcn_of(path)] = split(fqcn_of(path))[0]

    moves = {}  # old fqcn -> new fqcn
    api = api_closure()
    for fqcn in sorted(api):
        moves[fqcn] = API + "." + split(fqcn)[1]
    for short, pkg in list(API_TYPES.items()) + list(MOVES.items()):
        old = BASE + "." + short
        if old not in before:
            print("restructure: %s is gone; not moved" % old)
            continue
        moves[old] = pkg + "." + split(old)[1]
    print("restructure: API types found from the CustomResources: %s"
          % ", ".join(sorted(split(f)[1] for f in api)))
    for old in list(moves):
        opkg, name = split(old)
        npkg = split(moves[old])[0]
        if npkg == API or old[len(BASE) + 1:] in TESTS_STAY:
            continue
        tdir = os.path.join("src/test/java", opkg.replace(".", "/"))
        if os.path.isdir(tdir):
            for f in sorted(os.listdir(tdir)):
                if re.fullmatch(re.escape(name) + r"\w*(Test|IT)\.java", f):
                    moves[opkg + "." + f[:-5]] = npkg + "." + f[:-5]

    clashes = [n for n in {split(v)[1] for v in moves.values()}
               if sum(1 for v in moves.values() if split(v)[1] == n) > 1]
    if clashes:
        sys.exit("restructure: two classes would share a name: %s" % clashes)

    # Condition names: a new class per kind in the API package, the constants removed from the reconciler.
    member_moves = {}  # "Reconciler.CONST" simple qualified -> "Conditions.CONST"
    condition_classes = {}
    for short, (cls, doc, names) in CONDITIONS.items():
        old = BASE + "." + short
        path = path_of("src/main/java", old)
        if not os.path.exists(path):
            print("restructure: %s is gone; its conditions stay" % old)
            continue
        text = orig_text = open(path).read()
        decls = []
        for n in names:
            m = re.search(r"^([ \t]*/\*\*[^\n]*\*/\n)?[ \t]*public static final String " + n + r" = (\"[^\"]*\");\n",
                          text, re.M)
            if not m:
                print("restructure: %s.%s not found; not moved" % (old, n))
                continue
            decls.append((n, m.group(2), (m.group(1) or "").strip()))
            text = text[:m.start()] + text[m.end():]
        # The block leaves two blank lines where it was.
        if "\n\n\n" not in orig_text:
            text = re.sub(r"\n\n\n+", "\n\n", text)
        open(path, "w").write(text)
        for left in re.findall(r"public static final String (\w+) = \"[A-Z][A-Za-z]+\";", text):
            print("restructure: %s.%s stays in the reconciler; a condition name? add it to CONDITIONS" % (old, left))
        rname = split(old)[1]
        for n, _, _ in decls:
            member_moves[rname + "." + n] = cls + "." + n
        condition_classes[cls] = (old, [n for n, _, _ in decls])
        body = ["package %s;" % API, "",
                "/** %s */" % doc,
                "public final class %s {" % cls, ""]
        for n, value, note in decls:
            if note:
                body.append("    " + note)
            body.append("    public static final String %s = %s;" % (n, value))
        body += ["", "    private %s() {" % cls, "    }", "}", ""]
        npath = path_of("src/main/java", API + "." + cls)
        os.makedirs(os.path.dirname(npath), exist_ok=True)
        open(npath, "w").write("\n".join(body))
        sh("git", "add", npath)

    for old, new in sorted(moves.items()):
        root = "src/main/java" if os.path.exists(path_of("src/main/java", old)) else "src/test/java"
        src, dst = path_of(root, old), path_of(root, new)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        sh("git", "mv", src, dst)

    after = {}
    for fqcn, pkg in before.items():
        after[fqcn] = split(moves.get(fqcn, fqcn))[0]
    for cls in condition_classes:
        after[API + "." + cls] = API
    new_name = {old: new for old, new in moves.items()}
    old_of_path = {}
    for fqcn in before:
        root = "src/main/java" if os.path.exists(path_of("src/main/java", moves.get(fqcn, fqcn))) else "src/test/java"
        old_of_path[path_of(root, moves.get(fqcn, fqcn))] = fqcn

    # Longest names first, so a.b.Name is not rewritten inside a.b.NameOther's replacement.
    fq_patterns = [(re.compile(r"\b" + re.escape(old) + r"\b"), new)
                   for old, new in sorted(moves.items(), key=lambda kv: -len(kv[0]))]
    for path in java_files():
        text = open(path).read()
        orig = text
        old_fqcn = old_of_path.get(path, fqcn_of(path))
        old_pkg, _ = split(old_fqcn)
        new_pkg, _ = split(fqcn_of(path))
        if old_pkg != new_pkg:
            text = re.sub(r"^package " + re.escape(old_pkg) + ";", "package " + new_pkg + ";", text, count=1,
                          flags=re.M)
        for pat, new in fq_patterns:
            text = pat.sub(new, text)
        # Condition constants: Reconciler.X -> Conditions.X (qualified), and in the reconciler itself a
        # static import for every constant it still names.
        used_conditions = set()
        for qual, repl in member_moves.items():
            if re.search(r"\b" + re.escape(qual) + r"\b", text):
                text = re.sub(r"\b" + re.escape(qual) + r"\b", repl, text)
                used_conditions.add(repl.split(".")[0])
        # Fully qualified references to the reconciler's constants (io.k8slab.lab.bgp.BgpPeerPoolReconciler.X).
        for cls, (rec, names) in condition_classes.items():
            text = re.sub(re.escape(split(rec)[0]) + r"\." + cls + r"\.", API + "." + cls + ".", text)
        statics = []
        for cls, (rec, names) in condition_classes.items():
            if old_fqcn == rec:
                code = code_of(text)
                for n in names:
                    if re.search(r"(?<![.\w])" + n + r"\b", code):
                        statics.append("import static %s.%s.%s;" % (API, cls, n))

        used = names_used(text)
        declared = set(re.findall(r"\b(?:class|interface|enum|record)\s+([A-Z]\w*)", code_of(text)))
        imported = {}
        for m in re.finditer(r"^import\s+([\w.]+)\.(\w+);", text, re.M):
            imported[m.group(2)] = m.group(1)
        adds = set()
        for n in used:
            if n in declared or n in imported:
                continue
            if old_pkg + "." + n in before:
                target = after[old_pkg + "." + n]
                if target != new_pkg:
                    adds.add(target + "." + n)
            if n in condition_classes and new_pkg != API:
                adds.add(API + "." + n)
        for n in used_conditions:
            if n not in imported and new_pkg != API:
                adds.add(API + "." + n)
        if text != orig or adds or statics:
            text = fix_imports(orig, text, ["import %s;" % a for a in adds] + statics, new_pkg)
        if text != orig:
            open(path, "w").write(text)

    for fqcn, member in WIDEN:
        path = path_of("src/main/java", fqcn)
        if not os.path.exists(path):
            print("restructure: %s is gone; %s not made public" % (fqcn, member))
            continue
        text = open(path).read()
        widened = re.sub(r"^(\s+)(?!public |private |protected )((?:static |final )*[\w<>\[\], ]+\s" + member + r"\s*\()",
                         r"\1public \2", text, flags=re.M)
        if widened == text:
            print("restructure: %s.%s not found or already public" % (fqcn, member))
        open(path, "w").write(widened)

    for short in TO_TEST:
        src = path_of("src/main/java", BASE + "." + short)
        if not os.path.exists(src):
            print("restructure: %s is gone; not moved to src/test" % src)
            continue
        dst = path_of("src/test/java", BASE + "." + short)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        sh("git", "mv", src, dst)

    for fqcn, name in RENAMES.items():
        src = path_of("src/main/java", fqcn)
        if not os.path.exists(src):
            print("restructure: %s is gone; not renamed" % fqcn)
            continue
        sh("git", "mv", src, os.path.join(os.path.dirname(src), name + ".java"))
        old = re.compile(r"\b" + re.escape(split(fqcn)[1]) + r"\b")
        for path in list(java_files()) + ["README.md"]:
            text = open(path).read()
            if old.search(text):
                text = old.sub(name, text)
                # The renamed import may sort elsewhere now.
                line = "import %s.%s;" % (split(fqcn)[0], name)
                if line in text.split("\n") and path.endswith(".java"):
                    rest = "\n".join(l for l in text.split("\n") if l != line)
                    text = fix_imports(rest, rest, [line], split(fqcn_of(path))[0])
                open(path, "w").write(text)

    # Class names outside Java sources (reflection config, properties) would need the same rewrite.
    for root in ("src/main/resources", "src/test/resources"):
        for d, _, files in os.walk(root):
            for f in files:
                try:
                    text = open(os.path.join(d, f)).read()
                except UnicodeDecodeError:
                    continue
                for old in moves:
                    if old in text:
                        print("restructure: %s names %s; rewrite it by hand" % (os.path.join(d, f), old))
    print("restructure: moved %d files; now compile and fix what the compiler reports" % len(moves))


def import_group(line):
    """The project's import groups, in order: static, java/javax, org, com, the rest."""
    name = line[len("import "):]
    if name.startswith("static "):
        return 0
    if name.startswith(("java.", "javax.")):
        return 1
    if name.startswith("org."):
        return 2
    if name.startswith("com."):
        return 3
    return 4


def fix_imports(orig, text, extra, own_pkg):
    """Puts the rewritten and added imports where they sort in their group, leaving the others where they
    were; drops imports of the file's own package and lab imports nothing uses any more."""
    lines = text.split("\n")
    before = {l for l in orig.split("\n") if l.startswith("import ")}
    pending = {l for l in lines if l.startswith("import ") and l not in before} | set(extra)
    lines = [l for l in lines if not (l.startswith("import ") and l not in before)]
    body = "\n".join(l for l in lines if not l.startswith("import "))

    def wanted(line):
        m = re.match(r"import (static )?([\w.]+)\.(\w+);", line)
        if not m:
            return True
        owner, name = m.group(2), m.group(3)
        if not m.group(1) and owner == own_pkg:
            return False
        if owner.startswith(BASE + ".") and not re.search(r"\b" + name + r"\b", body):
            return False
        return True

    lines = [l for l in lines if not l.startswith("import ") or wanted(l)]
    for new in sorted(l for l in pending if wanted(l)):
        if new in lines:
            continue
        g = import_group(new)
        idx = [k for k, l in enumerate(lines) if l.startswith("import ")]
        same = [k for k in idx if import_group(lines[k]) == g]
        if same:
            at = next((k for k in same if lines[k] > new), same[-1] + 1)
            lines.insert(at, new)
            continue
        lower = [k for k in idx if import_group(lines[k]) < g]
        higher = [k for k in idx if import_group(lines[k]) > g]
        if lower:
            lines[lower[-1] + 1:lower[-1] + 1] = ["", new]
        elif higher:
            lines[higher[0]:higher[0]] = [new, ""]
        else:
            at = next(k for k, l in enumerate(lines) if l.startswith("package ")) + 1
            lines[at:at] = ["", new]
    # A group emptied by the moves leaves blank lines behind: one between groups, and before the type.
    end = next(k for k, l in enumerate(lines) if l.strip() and not l.startswith(("package ", "import ")))
    head = [l for k, l in enumerate(lines[:end]) if l.strip() or (k > 0 and lines[k - 1].strip())]
    return "\n".join(head + lines[end:])


if __name__ == "__main__":
    main()

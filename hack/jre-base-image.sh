#!/usr/bin/env bash
# Builds the operator image's base, a Java runtime and the shared libraries it links against, as a `docker save`
# tarball that Quarkus's jib extension reads with `quarkus.jib.base-jvm-image=tar://...` (make image).
# Why not a stock JRE image: jib would pull it from a container registry, and the machines this project is built
# and tested on reach none. The runtime is jlink'ed from the building JDK (its jmods), so this needs a Linux
# x86_64 JDK 17 with jmods; the libraries come from the building machine (ldd), the rest is written here.
# Usage: hack/jre-base-image.sh OUTPUT.tar
set -euo pipefail

out=${1:?usage: $0 OUTPUT.tar}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
[[ $(uname -s)/$(uname -m) == Linux/x86_64 ]] || { echo "$0: needs Linux x86_64 (the image's platform), not $(uname -s)/$(uname -m)" >&2; exit 1; }
[[ -d $java_home/jmods ]] || { echo "$0: $java_home has no jmods; set JAVA_HOME to a full JDK 17" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jre-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

# What a Quarkus application on the JVM uses at run time (java.se), the EC and PKCS#11 providers (SSH and TLS
# keys), sun.misc.Unsafe (Netty), DNS, zip file systems, JFR and the management beans micrometer reads.
modules=java.se,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.unsupported,jdk.naming.dns,jdk.zipfs,jdk.management,jdk.jfr,jdk.management.jfr,jdk.net
"$java_home/bin/jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$root/opt/java"

# The shared libraries the runtime links against, at the paths the dynamic linker looks for them. java.desktop's
# native parts for windows, fonts, images and sound are left out (the operator runs headless; java.beans, which
# libraries use, is plain Java), and so are the runtime's own libraries, which jlink placed already.
find "$root/opt/java" -type f \( -name java -o -name '*.so' \) -print0 \
    | grep -zvE '/lib(awt_xawt|jawt|splashscreen|fontmanager|jsound|lcms|javajpeg)\.so$' \
    | xargs -0 ldd > "$work/ldd.txt"
# The runtime's own libraries (libjvm.so, ...) are found at run time, through the launcher; any other is missing.
missing=$(awk '$3 == "not" { print $1 }' "$work/ldd.txt" | sort -u | while read -r name; do
    [[ -n $(find "$root/opt/java" -name "$name") ]] || echo "$name"
done)
[[ -z $missing ]] || { echo "$0: the runtime links against libraries this machine lacks: $missing" >&2; exit 1; }
awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' "$work/ldd.txt" \
    | grep -v "^$root/" | sort -u \
    | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

# One layer, reproducible: sorted, owned by root, fixed times.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
java_version=$("$root/opt/java/bin/java" -version 2>&1 | head -1)
cat > "$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"User":"65532:65532","Env":["PATH=/opt/java/bin","JAVA_HOME=/opt/java"],"Labels":{"org.opencontainers.image.description":"jlink runtime: ${java_version//\"/}"}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"hack/jre-base-image.sh"}]}
EOF
printf '[{"Config":"config.json","RepoTags":["lab-operator-jre-base:latest"],"Layers":["layer.tar"]}]\n' > "$work/manifest.json"
mkdir -p "$(dirname "$out")"
tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.part" manifest.json config.json layer.tar
mv "$out.part" "$out"
echo "$0: wrote $out ($(du -h "$out" | cut -f1), $java_version)"

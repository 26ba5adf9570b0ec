#!/usr/bin/env bash
# Stands in for the docker CLI when `make image` runs Quarkus's jib extension. Quarkus 3.33's extension hands a
# finished image either to a registry or to `docker load` (a `docker save` tarball on stdin); no registry is
# reachable here and no Docker daemon runs, so `load` keeps that tarball as the image file
# ($LAB_IMAGE_TARBALL), which `ctr images import` reads. Jib asks `docker info` for the daemon's platform first.
# Any other docker command fails, so a change in what jib asks of docker shows up here instead of passing unseen.
set -euo pipefail

case "${1:-}" in
    info)
        echo '{"OSType":"linux","Architecture":"x86_64"}'
        ;;
    load)
        tarball=${LAB_IMAGE_TARBALL:?LAB_IMAGE_TARBALL names the file to write}
        mkdir -p "$(dirname "$tarball")"
        cat > "$tarball.part"
        mv "$tarball.part" "$tarball"
        echo "Loaded image into $tarball"
        ;;
    *)
        echo "$0: 'docker $*' is not something make image expects jib to ask" >&2
        exit 1
        ;;
esac

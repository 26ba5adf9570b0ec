#!/usr/bin/env bash
# hack/lint-lab.sh [CHECK...] - the checks of the Vagrant lab that run without a VM (and without the network).
#
#   ruby        ruby -c on the Vagrantfile and deploy/lab/*.rb
#   vagrant     `vagrant validate --ignore-provider` on a scratch copy, with the default settings and with 5 workers
#               (no provider is needed for it; the VM list must follow workers.count)
#   syntax      ansible-playbook --syntax-check on every playbook under deploy/lab
#   lint        ansible-lint on deploy/lab (profile and reasons in deploy/lab/.ansible-lint)
#   [shellcheck] every shell script of the repository through shellcheck (severities: see check_shellcheck)
#   templates   renders every template of deploy/lab for every machine and checks the result
#               (gobgpd --dry-run, TOML and YAML parsers, the SSH Secret's keys)
#   router      runs rt-01's rendered gobgpd and FRR configuration with the real daemons in network namespaces:
#               sessions, the API on the k8s-cluster address, an ECMP kernel route, the NAT range rejected (root)
#   all         all of the above (the default)
#
# Installs nothing: a missing tool is an error that names its Debian package. Exits non-zero when any check fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
lab=$root/deploy/lab
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export VAGRANT_CHECKPOINT_DISABLE=1 # no version check over the network
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP=$scratch/ansible-tmp

passed=()
failed=()

need() { # need TOOL:PACKAGE...
  local spec missing=0
  for spec in "$@"; do
    if ! command -v "${spec%%:*}" >/dev/null 2>&1; then
      echo "lint-lab: ${spec%%:*} is not installed (Debian package ${spec#*:})" >&2
      missing=1
    fi
  done
  return "$missing"
}

# The variables and inventory Vagrant would give ansible_local, with files under a scratch root instead of /vagrant.
prepared=""
prepare() {
  [ -n "$prepared" ] && return 0
  need ruby:ruby ansible-playbook:ansible ssh-keygen:openssh-client || return 1
  local guest=$scratch/guest
  ruby "$lab/render.rb" write "$guest/deploy/lab/generated" >/dev/null
  ruby "$lab/render.rb" --guest-root "$guest" vars >"$scratch/vars.json"
  ruby "$lab/render.rb" inventory >"$scratch/inventory"
  prepared=1
}

# Every template rendered for every machine, into $rendered/<machine>/.
rendered=""
render() {
  [ -n "$rendered" ] && return 0
  prepare || return 1
  ansible-playbook -i "$scratch/inventory" -e "@$scratch/vars.json" -e "lab_render_dir=$scratch/rendered" \
    "$lab/tests/render-templates.yml" >"$scratch/render.log" 2>&1 || { cat "$scratch/render.log" >&2; return 1; }
  rendered=$scratch/rendered
}

check_ruby() {
  need ruby:ruby || return 1
  local f status=0
  for f in "$root/Vagrantfile" "$lab"/*.rb; do
    ruby -c "$f" >/dev/null || { echo "lint-lab: ruby -c $f failed" >&2; status=1; }
  done
  return "$status"
}

check_vagrant() {
  need vagrant:vagrant ssh-keygen:openssh-client || return 1
  local workers copy out status=0
  for workers in 3 5; do
    copy=$scratch/vagrant-$workers
    mkdir -p "$copy/deploy"
    cp "$root/Vagrantfile" "$copy/"
    cp -r "$lab" "$copy/deploy/lab"
    rm -rf "$copy/deploy/lab/generated"
    sed -i "s/^  count: [0-9]*$/  count: $workers/" "$copy/deploy/lab/settings.yaml"
    if ! out=$(cd "$copy" && VAGRANT_HOME=$scratch/vagrant.d vagrant validate --ignore-provider 2>&1); then
      echo "$out" >&2
      echo "lint-lab: vagrant validate failed with $workers workers" >&2
      status=1
      continue
    fi
    local expected name
    expected=$(ruby "$copy/deploy/lab/render.rb" names)
    [ "$(wc -l <<<"$expected")" -eq $((workers + 3)) ] || { echo "lint-lab: expected $((workers + 3)) machines" >&2; status=1; }
    for name in $expected; do
      grep -q "==> $name: " <<<"$out" || { echo "lint-lab: vagrant validate did not define $name:" >&2; echo "$out" >&2; status=1; }
    done
  done
  return "$status"
}

playbooks() {
  find "$lab" -path "$lab/generated" -prune -o -path "$lab/roles" -prune -o -name '*.yml' -print | sort
}

check_syntax() {
  prepare || return 1
  local playbook status=0
  while read -r playbook; do
    ansible-playbook --syntax-check -i "$scratch/inventory" -e "@$scratch/vars.json" "$playbook" >/dev/null ||
      { echo "lint-lab: syntax check of $playbook failed" >&2; status=1; }
  done < <(playbooks)
  return "$status"
}

check_lint() {
  need ansible-lint:ansible-lint || return 1
  local list
  mapfile -t list < <(playbooks)
  (cd "$lab" && ansible-lint --nocolor -c "$lab/.ansible-lint" "${list[@]}")
}

# Scripts of deploy/lab and this one are held to every shellcheck severity; the other scripts of the repository
# (owned elsewhere) to warnings and errors. mvnw is Maven's generated wrapper and not checked.
check_shellcheck() {
  need shellcheck:shellcheck || return 1
  local f status=0 strict=() others=()
  while read -r f; do
    case "$f" in
      "$root/deploy/lab/"* | "$root/hack/lint-lab.sh") strict+=("$f") ;;
      *) others+=("$f") ;;
    esac
  done < <(
    {
      find "$root/hack" "$root/deploy" -path "$lab/generated" -prune -o -type f -name '*.sh' -print
      find "$root/hack" "$root/deploy" "$root/.ci" -path "$lab/generated" -prune -o -type f ! -name '*.*' -print |
        while read -r f; do head -n1 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && echo "$f"; done
    } | sort -u
  )
  [ "${#strict[@]}" -eq 0 ] || shellcheck "${strict[@]}" || status=1
  [ "${#others[@]}" -eq 0 ] || shellcheck --severity=warning "${others[@]}" || status=1
  return "$status"
}

check_templates() {
  render || return 1
  need gobgpd:gobgpd python3:python3 || return 1
  local router
  router=$(ruby "$lab/render.rb" names router)
  gobgpd --dry-run --config-file="$rendered/$router/gobgpd.conf" --config-type=toml >/dev/null ||
    { echo "lint-lab: gobgpd rejects the rendered $router/gobgpd.conf" >&2; return 1; }
  python3 - "$rendered" "$scratch/vars.json" <<'PY'
import base64, json, pathlib, sys, tomllib, yaml

out, lab = pathlib.Path(sys.argv[1]), json.load(open(sys.argv[2]))["lab"]
errors = []
for f in sorted(out.rglob("*")):
    if not f.is_file():
        continue
    try:
        if f.suffix == ".toml" or f.name == "gobgpd.conf":
            tomllib.loads(f.read_text())
        elif f.suffix == ".yaml":
            docs = [d for d in yaml.safe_load_all(f.read_text()) if d is not None]
            if not docs:
                errors.append(f"{f}: no YAML document")
            if f.name == "lab-ssh-secret.yaml":
                data = docs[0]["data"]
                key = base64.b64decode(data["ssh-privatekey"]).decode()
                hosts = base64.b64decode(data["known_hosts"]).decode().splitlines()
                if "PRIVATE KEY" not in key:
                    errors.append(f"{f}: ssh-privatekey is not a private key")
                names = {line.split()[0].split(",")[0] for line in hosts}
                wanted = {n["name"] for n in lab["kubernetes"]["nodes"]}
                if names != wanted:
                    errors.append(f"{f}: known_hosts lists {sorted(names)}, not {sorted(wanted)}")
            if f.name == "router-api-secret.yaml":
                data = docs[0]["data"]
                if docs[0]["type"] != "kubernetes.io/tls" or sorted(data) != ["ca.crt", "tls.crt", "tls.key"]:
                    errors.append(f"{f}: not a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt")
                elif "BEGIN PRIVATE KEY" not in base64.b64decode(data["tls.key"]).decode():
                    errors.append(f"{f}: tls.key is not an unencrypted PKCS#8 key, which the operator needs")
            if f.name == "kubeadm.yaml":
                kinds = [d["kind"] for d in docs]
                if kinds != ["InitConfiguration", "ClusterConfiguration", "KubeletConfiguration"]:
                    errors.append(f"{f}: unexpected documents {kinds}")
        elif f.suffix in (".service", ".conf") and not f.read_text().strip():
            errors.append(f"{f}: empty")
    except Exception as e:  # noqa: BLE001 - report every broken file, not just the first
        errors.append(f"{f}: {e}")
for e in errors:
    print("lint-lab:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

check_router() {
  render || return 1
  "$lab/tests/router-netns.sh" "$scratch/vars.json" "$rendered"
}

checks=("$@")
[ "${#checks[@]}" -gt 0 ] && [ "${checks[0]}" != all ] || checks=(ruby vagrant syntax lint shellcheck templates router)
for check in "${checks[@]}"; do
  case "$check" in
    ruby | vagrant | syntax | lint | shellcheck | templates | router) ;;
    *) echo "lint-lab: unknown check '$check' (ruby vagrant syntax lint shellcheck templates router all)" >&2; exit 2 ;;
  esac
  start=$SECONDS
  if "check_$check"; then
    passed+=("$check")
    echo "lint-lab: $check passed ($((SECONDS - start)) s)"
  else
    failed+=("$check")
    echo "lint-lab: $check FAILED ($((SECONDS - start)) s)" >&2
  fi
done
echo "lint-lab: ${#passed[@]} passed, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
[ "${#failed[@]}" -eq 0 ]

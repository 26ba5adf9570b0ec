# frozen_string_literal: true

# The lab's topology and renderer: reads deploy/lab/settings.yaml, checks it, and derives from it
#   - the VM list the Vagrantfile defines (Lab::Topology#machines),
#   - the LabCluster and BgpPeerPool the master applies (#labcluster, #bgppeerpool),
#   - the variables the ansible playbook runs with (#ansible_vars, written to generated/lab.json),
#   - the lab's SSH keys: one client key pair for the operator and one host key per Kubernetes VM, generated once
#     on the host (#write_generated) so that every VM can read what it needs from the synced folder, whatever order
#     the VMs come up in;
#   - the certificates of rt-01's API (#generate_tls, with the openssl command): a CA, rt-01's certificate and the
#     operator's client certificate. The CA's key never leaves the host.
# Plain Ruby (stdlib only) so that Vagrant's Ruby, the system Ruby and the tests all run the same code.

require "fileutils"
require "ipaddr"
require "json"
require "open3"
require "socket"
require "yaml"

module Lab
  # The repository root (the folder that holds the Vagrantfile).
  ROOT = File.expand_path("../..", __dir__)
  SETTINGS = File.join(__dir__, "settings.yaml")
  # Where generated files live, relative to ROOT; the VMs see ROOT as GUEST_ROOT (rsync'd synced folder).
  GENERATED = "deploy/lab/generated"
  GUEST_ROOT = "/vagrant"

  API_VERSION = "lab.k8slab.io/v1alpha1"
  HOSTNAME = /\A[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\z/.freeze
  KUBERNETES_VERSION = /\A(\d+)\.(\d+)(?:\.(\d+))?\z/.freeze

  # A settings problem, worded for the person editing settings.yaml.
  class Error < StandardError; end

  # One VM: its name, role (router, client, control-plane, node), ansible groups and lab addresses by network.
  Machine = Struct.new(:name, :role, :type, :groups, :addresses, :cpus, :memory, keyword_init: true) do
    # The address other machines use for it: on k8s-cluster when it has one, else its first address.
    def address
      addresses["k8s-cluster"] || addresses.values.first
    end

    def kubernetes?
      %w[control-plane node].include?(role)
    end

    def to_h
      { "name" => name, "role" => role, "type" => type, "groups" => groups, "addresses" => addresses,
        "cpus" => cpus, "memory" => memory }.compact
    end
  end

  def self.load(path = SETTINGS, workers: nil)
    raw = YAML.safe_load(File.read(path), filename: path)
    raise Error, "#{path}: expected a mapping at the top level" unless raw.is_a?(Hash)

    raw["workers"] = (raw["workers"] || {}).merge("count" => Integer(workers)) unless workers.nil?
    Topology.new(raw, source: path)
  rescue Psych::SyntaxError => e
    raise Error, "#{path}: #{e.message}"
  end

  # Splits an address range "a.b.c.d-e.f.g.h" into the CIDRs that cover exactly it.
  def self.range_to_cidrs(first, last)
    low = IPAddr.new(first).to_i
    high = IPAddr.new(last).to_i
    raise Error, "address range #{first}-#{last} ends before it starts" if high < low

    cidrs = []
    while low <= high
      bits = 0 # host bits of the largest block that starts at low and ends at or before high
      bits += 1 while bits < 32 && (low % (1 << (bits + 1))).zero? && low + (1 << (bits + 1)) - 1 <= high
      cidrs << "#{IPAddr.new(low, Socket::AF_INET)}/#{32 - bits}"
      low += 1 << bits
    end
    cidrs
  end

  # Everything derived from one settings file.
  class Topology
    attr_reader :settings, :source

    def initialize(settings, source: "settings.yaml")
      @settings = settings
      @source = source
      validate!
    end

    def box
      fetch("box")
    end

    # network name => IPAddr (with prefix)
    def networks
      @networks ||= fetch("networks").to_h { |name, cidr| [name, cidr(cidr, "networks.#{name}")] }
    end

    # provider => IPAddr: the networks Vagrant's first NIC is on; never to be used by the lab.
    def nat_networks
      fetch("nat_networks").to_h { |provider, value| [provider, cidr(value, "nat_networks.#{provider}")] }
    end

    def netmask(net_name)
      IPAddr.new("255.255.255.255").mask(networks.fetch(net_name).prefix).to_s
    end

    # The address the host side of a lab network gets (VirtualBox host-only adapter, libvirt bridge): the last host
    # address of the network, so that .1 stays rt-01's.
    def host_side_address(net_name)
      IPAddr.new(networks.fetch(net_name).to_range.last.to_i - 1, Socket::AF_INET).to_s
    end

    def virtualbox_network_mode
      mode = dig_or("internal", "network_mode", "virtualbox")
      return mode if %w[internal hostonly].include?(mode)

      raise Error, "#{source}: network_mode.virtualbox must be internal or hostonly, not #{mode.inspect}"
    end

    # The VMs in the order `vagrant up` brings them up: the router and the client first, then the workers, the
    # control plane last, so that when the operator starts every worker it is told about is already there.
    def machines
      @machines ||= [router, client, *workers, control_plane]
    end

    def machine(name)
      machines.find { |m| m.name == name } or raise Error, "no machine #{name} in #{source}"
    end

    def router
      @router ||= begin
        r = fetch("router")
        Machine.new(name: fetch("router", "name"), role: "router", groups: %w[router],
                    addresses: addresses_of(r, "router"), cpus: r.fetch("cpus", 1), memory: r.fetch("memory", 512))
      end
    end

    def client
      @client ||= begin
        c = fetch("client")
        Machine.new(name: fetch("client", "name"), role: "client", groups: %w[client],
                    addresses: addresses_of(c, "client"), cpus: c.fetch("cpus", 1), memory: c.fetch("memory", 512))
      end
    end

    def control_plane
      @control_plane ||= begin
        c = fetch("control_plane")
        Machine.new(name: fetch("control_plane", "name"), role: "control-plane", type: c.fetch("type", "master"),
                    groups: %w[kubernetes control_plane],
                    addresses: { "k8s-cluster" => ip(fetch("control_plane", "address"), "control_plane.address") },
                    cpus: c.fetch("cpus", 2), memory: c.fetch("memory", 2048))
      end
    end

    def workers
      @workers ||= begin
        w = fetch("workers")
        count = Integer(fetch("workers", "count"))
        raise Error, "#{source}: workers.count must be 0 or more, not #{count}" if count.negative?

        first = IPAddr.new(ip(fetch("workers", "first_address"), "workers.first_address")).to_i
        (1..count).map do |i|
          Machine.new(name: format(fetch("workers", "name_format"), i), role: w.fetch("role", "node"),
                      type: w.fetch("type", "worker"), groups: %w[kubernetes workers],
                      addresses: { "k8s-cluster" => IPAddr.new(first + i - 1, Socket::AF_INET).to_s },
                      cpus: w.fetch("cpus", 1), memory: w.fetch("memory", 1536))
        end
      end
    end

    # Kubernetes nodes in LabCluster order: the control plane, then the workers.
    def kubernetes_nodes
      [control_plane, *workers]
    end

    def kubernetes_version
      version = fetch("kubernetes", "version")
      unless version.is_a?(String) && version.match?(KUBERNETES_VERSION)
        raise Error, "#{source}: kubernetes.version must be a quoted string such as \"1.30\" or \"1.30.2\", " \
                     "not #{version.inspect}"
      end
      version
    end

    def kubernetes_minor
      kubernetes_version.match(KUBERNETES_VERSION).captures.first(2).join(".")
    end

    # The config API the lab's kubeadm init reads, by the rules the operator's JoinConfiguration follows
    # (JoinConfigurationRenderer.ConfigApi): v1beta4 from 1.31, v1beta3 from 1.22, v1beta2 before.
    def kubeadm_api_version(minor)
      version = Gem::Version.new(minor)
      return "v1beta4" if version >= Gem::Version.new("1.31")
      return "v1beta3" if version >= Gem::Version.new("1.22")

      "v1beta2"
    end

    def control_plane_endpoint
      "#{control_plane.address}:#{Integer(fetch('kubernetes', 'api_port'))}"
    end

    def router_api_endpoint
      "#{router.addresses.fetch('k8s-cluster')}:#{Integer(fetch('router', 'api_port'))}"
    end

    # gobgpd's own API: plaintext on rt-01's loopback only, for the gobgp CLI there and for the TLS front.
    def router_local_api
      "127.0.0.1:#{Integer(fetch('router', 'api_port'))}"
    end

    # The Secret in kube-system with the operator's client certificate for rt-01's API.
    def router_api_secret
      fetch("router", "api_tls_secret")
    end

    # The LoadBalancer ranges as CIDRs (ranges a-b are split), for client-01's routes.
    def loadbalancer_cidrs
      fetch("bgppeerpool", "addressPools").flat_map do |pool|
        Array(pool["addresses"]).flat_map do |entry|
          if entry.to_s.include?("-")
            Lab.range_to_cidrs(*entry.split("-", 2).map(&:strip))
          else
            [cidr(entry, "bgppeerpool.addressPools[#{pool['name']}]").then { |n| "#{n}/#{n.prefix}" }]
          end
        end
      end
    end

    # Static routes each machine needs beyond its connected networks.
    def routes
      via_client = router.addresses.fetch("client")
      via_cluster = router.addresses.fetch("k8s-cluster")
      cluster = networks.fetch("k8s-cluster")
      client_net = networks.fetch("client")
      machines.to_h do |m|
        list = case m.role
               when "client"
                 loadbalancer_cidrs.map { |c| { "to" => c, "via" => via_client } } +
                   [{ "to" => "#{cluster}/#{cluster.prefix}", "via" => via_client }]
               when "router" then []
               else [{ "to" => "#{client_net}/#{client_net.prefix}", "via" => via_cluster }]
               end
        [m.name, list]
      end
    end

    # -- the custom resources -----------------------------------------------------------------------------------

    def labcluster
      lc = fetch("labcluster")
      computed = {
        "controlPlaneEndpoint" => control_plane_endpoint,
        "kubernetesVersion" => "v#{kubernetes_version}",
        "networks" => {
          "nodeCIDR" => prefix_string(networks.fetch("k8s-cluster")),
          "podCIDR" => prefix_string(cidr(fetch("kubernetes", "pod_cidr"), "kubernetes.pod_cidr")),
          "serviceCIDR" => prefix_string(cidr(fetch("kubernetes", "service_cidr"), "kubernetes.service_cidr"))
        },
        "nodes" => kubernetes_nodes.map do |n|
          { "name" => n.name, "address" => n.address, "role" => n.role, "type" => n.type,
            "labels" => labels_for(n) }.compact
        end
      }
      passthrough = lc.reject { |k, _| k == "name" }
      { "apiVersion" => API_VERSION, "kind" => "LabCluster", "metadata" => { "name" => lc.fetch("name") },
        "spec" => computed.merge(passthrough) }
    end

    def bgppeerpool
      bpp = fetch("bgppeerpool")
      peer = bpp.fetch("peer", {})
      computed_peer = { "name" => router.name, "address" => router.addresses.fetch("k8s-cluster"),
                        "asn" => Integer(fetch("router", "asn")) }
      computed_peer["port"] = peer["port"] if peer.key?("port")
      computed_peer["holdTime"] = peer["holdTime"] if peer.key?("holdTime")
      computed_peer["router"] = { "address" => router_api_endpoint, "managed" => peer.fetch("routerManaged", false),
                                  "tlsSecretRef" => { "name" => router_api_secret, "namespace" => "kube-system" } }
      spec = { "myASN" => Integer(bpp.fetch("myASN")), "peers" => [computed_peer] }
      bpp.each { |k, v| spec[k] = v unless %w[name myASN peer].include?(k) }
      { "apiVersion" => API_VERSION, "kind" => "BgpPeerPool", "metadata" => { "name" => bpp.fetch("name") },
        "spec" => spec }
    end

    # -- what the playbook runs with ----------------------------------------------------------------------------

    def ansible_groups
      groups = Hash.new { |h, k| h[k] = [] }
      machines.each { |m| m.groups.each { |g| groups[g] << m.name } }
      groups.to_h
    end

    # The inventory Vagrant's ansible_local generates from #ansible_groups (for checks without Vagrant).
    def ansible_inventory
      lines = machines.map(&:name)
      ansible_groups.each { |group, members| lines += ["", "[#{group}]", *members] }
      "#{lines.join("\n")}\n"
    end

    def ansible_vars(guest_root: GUEST_ROOT)
      generated = File.join(guest_root, GENERATED)
      ssh = fetch("labcluster", "join", "ssh")
      secret = ssh.fetch("secretRef")
      version = kubernetes_version
      minor = kubernetes_minor
      {
        "lab" => {
          "root" => guest_root,
          "generated" => generated,
          "machines" => machines.to_h { |m| [m.name, m.to_h.reject { |k, _| k == "name" }] },
          "hosts" => machines.map { |m| { "name" => m.name, "address" => m.address } },
          "routes" => routes,
          "networks" => networks.transform_values { |n| prefix_string(n) },
          "nat_networks" => nat_networks.values.map { |n| prefix_string(n) },
          "loadbalancer_cidrs" => loadbalancer_cidrs,
          "router" => {
            "name" => router.name,
            "asn" => Integer(fetch("router", "asn")),
            "router_id" => router.addresses.fetch("k8s-cluster"),
            "listen_address" => router.addresses.fetch("k8s-cluster"),
            "api_hosts" => [router_local_api],
            # gobgpd 3.10 cannot ask for client certificates: haproxy does, on the k8s-cluster address, and passes
            # each connection to gobgpd's local API.
            "api_tls" => {
              "listen" => router_api_endpoint,
              "backend" => router_local_api,
              "certificate" => File.join(generated, "tls", "rt-01-api.pem"),
              "client_ca" => File.join(generated, "tls", "lab-api-ca.crt"),
              "installed_certificate" => "/etc/haproxy/lab-api.pem",
              "installed_client_ca" => "/etc/haproxy/lab-api-ca.crt"
            },
            "managed_by_operator" => fetch("bgppeerpool").fetch("peer", {}).fetch("routerManaged", false),
            "neighbors" => workers.map do |w|
              { "name" => w.name, "address" => w.address, "asn" => Integer(fetch("bgppeerpool", "myASN")) }
            end,
            "rejected_prefixes" => nat_networks.values.map { |n| prefix_string(n) }.uniq,
            # FRR's bgpd takes gobgpd's paths over a local iBGP session (ADD-PATH) and zebra puts them into the
            # kernel as ECMP routes. gobgpd's own zebra client cannot talk to Debian 12's FRR 8.4 (it panics
            # decoding zebra's interface messages: osrg/gobgp#2681).
            "frr" => {
              "router_id" => router.addresses.fetch("client"),
              "bgp_port" => 1179,
              "gobgpd_address" => "127.0.0.2",
              "maximum_paths" => 16
            }
          },
          "kubernetes" => {
            "version" => version,
            "minor" => minor,
            "repository" => "https://pkgs.k8s.io/core:/stable:/v#{minor}/deb/",
            "package_version" => version == minor ? "#{minor}.*" : "#{version}-*",
            "kubeadm_api_version" => kubeadm_api_version(minor),
            "api_port" => Integer(fetch("kubernetes", "api_port")),
            "endpoint" => control_plane_endpoint,
            "pod_cidr" => prefix_string(cidr(fetch("kubernetes", "pod_cidr"), "kubernetes.pod_cidr")),
            "service_cidr" => prefix_string(cidr(fetch("kubernetes", "service_cidr"), "kubernetes.service_cidr")),
            "lab_interface" => fetch("kubernetes", "lab_interface"),
            "flannel_version" => fetch("kubernetes", "flannel_version"),
            "control_plane" => { "name" => control_plane.name, "address" => control_plane.address },
            "nodes" => kubernetes_nodes.map { |n| { "name" => n.name, "address" => n.address, "role" => n.role } }
          },
          "ssh" => {
            "user" => ssh.fetch("user", "vagrant"),
            "secret_name" => secret.fetch("name"),
            "secret_namespace" => secret.fetch("namespace"),
            "private_key" => File.join(generated, "ssh", "id_lab"),
            "public_key" => File.join(generated, "ssh", "id_lab.pub"),
            "known_hosts" => File.join(generated, "ssh", "known_hosts"),
            "host_keys" => File.join(generated, "ssh", "hosts")
          },
          "router_api_secret" => {
            "name" => router_api_secret,
            "namespace" => "kube-system",
            "certificate" => File.join(generated, "tls", "lab-operator.crt"),
            "key" => File.join(generated, "tls", "lab-operator.key"),
            "ca" => File.join(generated, "tls", "lab-api-ca.crt")
          },
          "resources" => {
            "labcluster" => File.join(generated, "labcluster.yaml"),
            "bgppeerpool" => File.join(generated, "bgppeerpool.yaml"),
            "labcluster_name" => fetch("labcluster", "name"),
            "bgppeerpool_name" => fetch("bgppeerpool", "name")
          },
          "crds" => File.join(guest_root, "crds"),
          # MetalLB's cluster-wide objects, when the operator installs MetalLB ("" otherwise).
          "metallb_cluster" => metallb_cluster(guest_root),
          "operator" => {
            "kustomization" => File.join(guest_root, "deploy", "operator"),
            # `make image`'s tarball, which the master imports into containerd.
            "image_tarball" => File.join(guest_root, "target", "lab-operator-image.tar"),
            "namespace" => "lab-operator",
            "deployment" => "lab-operator"
          }
        }
      }
    end

    # deploy/metallb/<version>/cluster for the BgpPeerPool's MetalLB when the operator installs it: the Namespace,
    # CRDs, cluster roles and webhook configuration the operator has no rights to write.
    def metallb_cluster(guest_root)
      metallb = fetch("bgppeerpool").fetch("metallb", {})
      return "" unless metallb.fetch("install", true)

      File.join(guest_root, "deploy", "metallb", metallb.fetch("version"), "cluster")
    end

    # rsync excludes for one VM's synced folder: never the git history or build output other than the packaged
    # operator, and no private key that VM does not need (only the master gets the operator's key, each Kubernetes
    # VM only its own host key).
    def rsync_excludes(machine)
      excludes = [".git/", "/target/*", ".idea/", ".vscode/", "/#{GENERATED}/tls/lab-api-ca.key"]
      excludes << "/#{GENERATED}/ssh/id_lab" unless machine.role == "control-plane"
      excludes << "/#{GENERATED}/tls/lab-operator.key" unless machine.role == "control-plane"
      excludes += ["/#{GENERATED}/tls/rt-01-api.key", "/#{GENERATED}/tls/rt-01-api.pem"] unless machine.role == "router"
      kubernetes_nodes.each do |n|
        excludes << "/#{GENERATED}/ssh/hosts/#{n.name}/ssh_host_ecdsa_key" unless n.name == machine.name
      end
      excludes
    end

    # -- generated files ----------------------------------------------------------------------------------------

    # Writes labcluster.yaml, bgppeerpool.yaml, lab.json and (once) the SSH keys under dir. Files are rewritten
    # only when their content changes; keys are never replaced. Returns dir.
    def write_generated(dir = File.join(ROOT, GENERATED))
      FileUtils.mkdir_p(dir)
      header = "# Rendered from deploy/lab/settings.yaml by deploy/lab/lab.rb; edit the settings, not this file.\n"
      write_if_changed(File.join(dir, "labcluster.yaml"), header + YAML.dump(labcluster))
      write_if_changed(File.join(dir, "bgppeerpool.yaml"), header + YAML.dump(bgppeerpool))
      write_if_changed(File.join(dir, "lab.json"), "#{JSON.pretty_generate(ansible_vars)}\n")
      generate_keys(File.join(dir, "ssh"))
      generate_tls(File.join(dir, "tls"))
      dir
    end

    # rt-01's API certificates, made once: the CA (lab-api-ca), rt-01's certificate for its k8s-cluster address
    # (rt-01-api; .pem is certificate and key for haproxy; remade when the address changes) and the operator's
    # client certificate (lab-operator). Keys are unencrypted PKCS#8 PEM, as the operator reads them.
    def generate_tls(dir)
      FileUtils.mkdir_p(dir, mode: 0o700)
      ca = File.join(dir, "lab-api-ca")
      unless File.exist?("#{ca}.key") && File.exist?("#{ca}.crt")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=lab API CA",
                "-keyout", "#{ca}.key", "-out", "#{ca}.crt")
        File.chmod(0o600, "#{ca}.key")
      end
      san = "IP:#{router.addresses.fetch('k8s-cluster')}"
      server = File.join(dir, "rt-01-api")
      unless File.exist?("#{server}.pem") && File.exist?("#{server}.san") && File.read("#{server}.san") == san
        sign(dir, server, "/CN=#{router.name}", ca, san)
        File.write("#{server}.san", san)
        File.write("#{server}.pem", File.read("#{server}.crt") + File.read("#{server}.key"), perm: 0o600)
      end
      client = File.join(dir, "lab-operator")
      sign(dir, client, "/CN=lab-operator", ca, nil) unless File.exist?("#{client}.key") && File.exist?("#{client}.crt")
    end

    def generate_keys(dir)
      keygen(File.join(dir, "id_lab"), "lab-operator@#{fetch('labcluster', 'name')}")
      lines = kubernetes_nodes.map do |n|
        key = File.join(dir, "hosts", n.name, "ssh_host_ecdsa_key")
        keygen(key, "root@#{n.name}")
        type, body = File.read("#{key}.pub").split
        "#{n.name},#{n.address} #{type} #{body}\n"
      end
      write_if_changed(File.join(dir, "known_hosts"), lines.join)
    end

    private

    def keygen(path, comment)
      return if File.exist?(path) && File.exist?("#{path}.pub")

      FileUtils.mkdir_p(File.dirname(path), mode: 0o700)
      FileUtils.rm_f([path, "#{path}.pub"])
      # ECDSA P-256: OpenSSH, and the JDK's own crypto as used by the operator's Apache SSHD client, both have it.
      _out, err, status = Open3.capture3("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", comment,
                                         "-f", path)
      raise Error, "ssh-keygen failed for #{path}: #{err}" unless status.success?
    rescue Errno::ENOENT
      raise Error, "ssh-keygen (OpenSSH client) is needed on the host to create the lab's SSH keys"
    end

    def sign(dir, name, subject, ca, san)
      openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", "#{name}.key", "-out", "#{name}.csr")
      args = ["x509", "-req", "-in", "#{name}.csr", "-CA", "#{ca}.crt", "-CAkey", "#{ca}.key", "-CAcreateserial",
              "-CAserial", File.join(dir, "lab-api-ca.srl"), "-days", "3650", "-out", "#{name}.crt"]
      if san
        File.write("#{name}.ext", "subjectAltName=#{san}\n")
        args += ["-extfile", "#{name}.ext"]
      end
      openssl(*args)
      File.chmod(0o600, "#{name}.key")
    end

    def openssl(*args)
      _out, err, status = Open3.capture3("openssl", *args)
      raise Error, "openssl #{args.first} failed: #{err}" unless status.success?
    rescue Errno::ENOENT
      raise Error, "openssl is needed on the host to create the certificates of rt-01's API"
    end

    def write_if_changed(path, content)
      return if File.exist?(path) && File.read(path) == content

      File.write(path, content)
    end

    def labels_for(node)
      labels = node.role == "node" ? settings.dig("workers", "labels") : settings.dig("control_plane", "labels")
      labels.nil? || labels.empty? ? nil : labels
    end

    def fetch(*path)
      path.each_with_index.reduce(settings) do |node, (key, i)|
        unless node.is_a?(Hash) && node.key?(key)
          raise Error, "#{source}: missing setting #{path.first(i + 1).join('.')}"
        end

        node[key]
      end
    end

    def dig_or(default, *path)
      value = settings.dig(*path)
      value.nil? ? default : value
    end

    def cidr(value, where)
      net = IPAddr.new(value.to_s)
      raise Error, "#{source}: #{where} must be an IPv4 CIDR, not #{value.inspect}" unless net.ipv4?
      unless value.to_s.include?("/") && net.to_s == value.to_s.split("/").first
        raise Error, "#{source}: #{where} must be a network address with its prefix (e.g. #{net}/#{net.prefix}), " \
                     "not #{value.inspect}"
      end

      net
    rescue IPAddr::Error
      raise Error, "#{source}: #{where} must be an IPv4 CIDR, not #{value.inspect}"
    end

    def ip(value, where)
      addr = IPAddr.new(value.to_s)
      raise Error, "#{source}: #{where} must be an IPv4 address, not #{value.inspect}" unless addr.ipv4? && !value.to_s.include?("/")

      addr.to_s
    rescue IPAddr::Error
      raise Error, "#{source}: #{where} must be an IPv4 address, not #{value.inspect}"
    end

    def prefix_string(net)
      "#{net}/#{net.prefix}"
    end

    def addresses_of(entry, key)
      addresses = entry.fetch("addresses") { raise Error, "#{source}: missing setting #{key}.addresses" }
      addresses.to_h { |net, addr| [net, ip(addr, "#{key}.addresses.#{net}")] }
    end

    def validate!
      box.is_a?(String) && !box.empty? or raise Error, "#{source}: box must name a Vagrant box"
      %w[k8s-cluster client].each do |net|
        networks.key?(net) or raise Error, "#{source}: networks.#{net} is missing (the lab needs it)"
      end
      kubernetes_version
      virtualbox_network_mode
      unless router.addresses.key?("k8s-cluster") && router.addresses.key?("client")
        raise Error, "#{source}: router.addresses needs a k8s-cluster and a client address"
      end
      client.addresses.key?("client") or raise Error, "#{source}: client.addresses needs a client address"

      names = machines.map(&:name)
      names.each do |n|
        n.match?(HOSTNAME) or raise Error, "#{source}: #{n.inspect} is not a valid host name (lower case, digits, -)"
      end
      dup = names.tally.select { |_, c| c > 1 }.keys
      raise Error, "#{source}: machine names used twice: #{dup.join(', ')}" unless dup.empty?

      unless workers.empty?
        net = networks.fetch("k8s-cluster")
        last = IPAddr.new(workers.last.address)
        host = host_side_address("k8s-cluster")
        if !net.include?(last) || last.to_i >= IPAddr.new(host).to_i
          raise Error, "#{source}: #{workers.size} workers from #{workers.first.address} do not fit in k8s-cluster " \
                       "#{prefix_string(net)} (the last would get #{last}; #{host} is the host's)"
        end
      end

      seen = {}
      machines.each do |m|
        m.addresses.each do |net, addr|
          network = networks[net] or raise Error, "#{source}: #{m.name} has an address on unknown network #{net}"
          check_host_address(network, addr, "#{m.name}'s #{net} address")
          raise Error, "#{source}: #{addr} is given to both #{seen[addr]} and #{m.name}" if seen.key?(addr)
          if addr == host_side_address(net)
            raise Error, "#{source}: #{addr} is the host's address on #{net} (the last one); give #{m.name} another"
          end

          seen[addr] = m.name
        end
        [["cpus", m.cpus], ["memory", m.memory]].each do |what, v|
          (v.is_a?(Integer) && v.positive?) or raise Error, "#{source}: #{m.name}'s #{what} must be a positive integer"
        end
      end

      ranges = networks.map { |name, net| ["networks.#{name}", net] }
      nat_networks.each { |provider, net| ranges << ["nat_networks.#{provider}", net] }
      ranges << ["kubernetes.pod_cidr", cidr(fetch("kubernetes", "pod_cidr"), "kubernetes.pod_cidr")]
      ranges << ["kubernetes.service_cidr", cidr(fetch("kubernetes", "service_cidr"), "kubernetes.service_cidr")]
      loadbalancer_cidrs.each { |c| ranges << ["bgppeerpool.addressPools (#{c})", IPAddr.new(c)] }
      ranges.combination(2).each do |(a, na), (b, nb)|
        raise Error, "#{source}: #{a} (#{prefix_string(na)}) overlaps #{b} (#{prefix_string(nb)})" if overlap?(na, nb)
      end

      %w[controlPlaneEndpoint kubernetesVersion networks nodes].each do |k|
        next unless fetch("labcluster").key?(k)

        raise Error, "#{source}: labcluster.#{k} is derived from the machines and networks; remove it"
      end
      %w[peers].each do |k|
        next unless fetch("bgppeerpool").key?(k)

        raise Error, "#{source}: bgppeerpool.#{k} is derived from the router settings; use bgppeerpool.peer"
      end
      fetch("labcluster", "join", "ssh", "secretRef", "name")
      fetch("labcluster", "join", "ssh", "secretRef", "namespace")
      unless router_api_secret.is_a?(String) && router_api_secret.match?(/\A[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\z/)
        raise Error, "#{source}: router.api_tls_secret must name a Secret (lower case, digits, '-', '.'), not #{router_api_secret.inspect}"
      end
      lab_interface = fetch("kubernetes", "lab_interface")
      (lab_interface.is_a?(String) && !lab_interface.empty?) or raise Error, "#{source}: kubernetes.lab_interface must name an interface"
    end

    def check_host_address(network, addr, what)
      a = IPAddr.new(addr)
      range = network.to_range
      unless network.include?(a) && a != range.first && a != range.last
        raise Error, "#{source}: #{what} #{addr} is not a host address of #{prefix_string(network)}"
      end
    end

    def overlap?(a, b)
      a.include?(b.to_range.first) || b.include?(a.to_range.first)
    end
  end
end

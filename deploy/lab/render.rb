# frozen_string_literal: true

# Prints what deploy/lab/settings.yaml makes of the lab, the same way the Vagrantfile sees it.
#
#   ruby deploy/lab/render.rb [--settings FILE] [--workers N] COMMAND
#
#   machines     the VMs, in `vagrant up` order, as JSON (name, role, groups, addresses, cpus, memory)
#   names [ROLE] the VMs' names, one a line (only those with ROLE: router, client, control-plane, node)
#   labcluster   the LabCluster the master applies, as YAML
#   bgppeerpool  the BgpPeerPool the master applies, as YAML
#   vars         the variables the ansible playbook runs with, as JSON
#   inventory    the ansible inventory Vagrant generates (machines and groups), as INI
#   write DIR    writes everything the VMs read (rendered resources, lab.json, SSH keys) into DIR
#
# --workers N overrides workers.count, for looking at a bigger lab before editing the settings.
# --guest-root DIR makes `vars` name files under DIR instead of /vagrant (for checks run on the host).

require "json"
require "yaml"
require_relative "lab"

settings = Lab::SETTINGS
workers = nil
guest_root = Lab::GUEST_ROOT
args = ARGV.dup
until args.empty? || !args.first.start_with?("--")
  case (option = args.shift)
  when "--settings" then settings = args.shift
  when "--workers" then workers = args.shift
  when "--guest-root" then guest_root = File.expand_path(args.shift)
  else
    warn "unknown option #{option}"
    exit 2
  end
end

begin
  lab = Lab.load(settings, workers: workers)
  case (command = args.shift)
  when "machines" then puts JSON.pretty_generate(lab.machines.map(&:to_h))
  when "names"
    role = args.shift
    puts lab.machines.select { |m| role.nil? || m.role == role }.map(&:name)
  when "labcluster" then puts YAML.dump(lab.labcluster)
  when "bgppeerpool" then puts YAML.dump(lab.bgppeerpool)
  when "vars" then puts JSON.pretty_generate(lab.ansible_vars(guest_root: guest_root))
  when "inventory" then print lab.ansible_inventory
  when "write"
    dir = args.shift or abort("write needs a directory")
    puts lab.write_generated(File.expand_path(dir))
  else
    warn "usage: ruby deploy/lab/render.rb [--settings FILE] [--workers N] " \
         "machines|names [ROLE]|labcluster|bgppeerpool|vars|inventory|write DIR (got #{command.inspect})"
    exit 2
  end
rescue Lab::Error => e
  warn "lab settings: #{e.message}"
  exit 1
end

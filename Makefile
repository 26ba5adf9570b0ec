# lab-operator: build, test and run the operator; bring up the Vagrant lab.
# `make help` lists the targets.

SHELL := /bin/bash
MVN ?= ./mvnw
KUBE_API_TEST_DIR ?= $(HOME)/.kubeapitest
export KUBE_API_TEST_DIR

.PHONY: help test deps test-binaries build run crds metallb-cluster bench lint up provision down clean status demo reload-operator

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

test: deps test-binaries ## Install what the tests need, then run every test against a real kube-apiserver
	$(MVN) -B verify

deps: ## Debian packages the tests use (as root, once; skipped when already there)
	@hack/deps.sh

test-binaries: ## Build kube-apiserver, etcd, kubeadm for the tests (cached in $(KUBE_API_TEST_DIR))
	@hack/test-binaries.sh

build: ## Package the operator (target/quarkus-app)
	$(MVN) -B package -DskipTests

bench: deps test-binaries ## Benchmarks against the real API server; writes target/bench/report.md and report.json
	rm -rf target/bench
	$(MVN) -B package -DskipTests
	$(MVN) -B surefire:test -Dgroups=bench -Dexcluded.groups=

run: test-binaries ## Run the operator against the current context, or a local control plane when none answers
	@hack/run-local.sh

crds: ## Regenerate crds/ from the Java types
	$(MVN) -B -q test -Dtest=CrdDriftTest -Dsurefire.failIfNoSpecifiedTests=false -Dcrds.update=true

metallb-cluster: ## Regenerate deploy/metallb/<version>/cluster/ from MetalLB's manifests
	$(MVN) -B -q test -Dtest=MetalLbClusterManifestsTest -Dsurefire.failIfNoSpecifiedTests=false -Dmetallb.cluster.update=true

lint: ## The lab's static checks (ruby, vagrant validate, ansible syntax and lint, shellcheck); also run by the tests
	bash hack/lint-lab.sh

# --- the Vagrant lab (deploy/lab/settings.yaml holds every address and size) ---

up: build ## Build the operator, then bring the whole lab up with Vagrant (first time: roughly 30-45 min)
	vagrant up

provision: build ## Copy the checkout to the VMs again and re-run their provisioning (idempotent)
	vagrant rsync
	vagrant provision

down: ## Stop the lab's VMs (`make up` starts them again, without re-provisioning)
	vagrant halt

clean: ## Destroy the lab's VMs, the generated lab files (keys included) and the build output
	vagrant destroy --force
	rm -rf deploy/lab/generated .vagrant
	$(MVN) -B -q clean

status: ## VMs, LabCluster and BgpPeerPool as the master sees them, and rt-01's BGP view
	@deploy/lab/scripts/status.sh

demo: ## nginx behind a LoadBalancer Service, curled from client-01 through rt-01
	@deploy/lab/scripts/demo.sh

reload-operator: build ## Run a rebuilt operator on the lab
	vagrant rsync k8s-master-01
	vagrant ssh k8s-master-01 -c 'kubectl -n lab-operator rollout restart deployment/lab-operator'

ssh-%: ## vagrant ssh into a lab VM: make ssh-rt-01, ssh-client-01, ssh-k8s-master-01, ssh-k8s-node-01 ...
	vagrant ssh $*

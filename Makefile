# lab-operator: build, test and run the operator; bring up the Vagrant lab.
# `make help` lists the targets.

SHELL := /bin/bash
MVN ?= ./mvnw
KUBE_API_TEST_DIR ?= $(HOME)/.kubeapitest
export KUBE_API_TEST_DIR
JRE_BASE := target/jre-base-image.tar
# The image's base: empty for the runtime hack/jre-base-image.sh builds here (Linux x86_64, a JDK 17 with jmods, no
# registry needed), or a registry's JRE image where one is reachable, e.g. IMAGE_BASE=eclipse-temurin:17-jre.
IMAGE_BASE ?=

.PHONY: help test deps test-binaries build image run crds metallb-cluster bench lint up provision down clean status demo reload-operator

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

test: deps test-binaries $(JRE_BASE) ## Install what the tests need, then run every test against a real kube-apiserver
	$(MVN) -B verify -Pimage

deps: ## Debian packages the tests use (as root, once; skipped when already there)
	@hack/deps.sh

test-binaries: ## Build kube-apiserver, etcd, kubeadm for the tests (cached in $(KUBE_API_TEST_DIR))
	@hack/test-binaries.sh

build: ## Package the operator (target/quarkus-app)
	$(MVN) -B package -DskipTests

image: $(if $(IMAGE_BASE),,$(JRE_BASE)) ## Package the operator and its OCI image, target/lab-operator-image.tar (no Docker daemon needed)
	$(MVN) -B package -DskipTests -Pimage $(if $(IMAGE_BASE),-Dquarkus.jib.base-jvm-image=$(IMAGE_BASE))

# The image's base: a Java runtime jlink'ed from the building JDK, with the libraries it links against.
$(JRE_BASE): hack/jre-base-image.sh
	hack/jre-base-image.sh $@

bench: deps test-binaries ## Benchmarks against the real API server; writes target/bench/report.md and report.json
	rm -rf target/bench
	$(MVN) -B package -DskipTests
	$(MVN) -B -f bench/floor-operator/pom.xml package -DskipTests
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

up: image ## Build the operator, then bring the whole lab up with Vagrant (first time: roughly 30-45 min)
	vagrant up

provision: image ## Copy the checkout to the VMs again and re-run their provisioning (idempotent)
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

reload-operator: image ## Run a rebuilt operator on the lab (imports the new image on the master, restarts the Deployment)
	vagrant rsync k8s-master-01
	vagrant provision k8s-master-01

ssh-%: ## vagrant ssh into a lab VM: make ssh-rt-01, ssh-client-01, ssh-k8s-master-01, ssh-k8s-node-01 ...
	vagrant ssh $*

# lab-operator: build, test and run the operator; bring up the Vagrant lab.
# `make help` lists the targets.

SHELL := /bin/bash
MVN ?= ./mvnw
KUBE_API_TEST_DIR ?= $(HOME)/.kubeapitest
export KUBE_API_TEST_DIR

.PHONY: help test deps test-binaries build run crds bench up provision down clean status

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

up provision down status: ## The Vagrant lab (not there yet)
	@echo "make $@: the Vagrant lab is not implemented yet; see README.md" >&2; exit 1

clean: ## Remove build output
	$(MVN) -B -q clean

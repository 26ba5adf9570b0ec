package io.k8slab.lab.operator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * Leader election, so two replicas are safe: only the holder of the Lease reconciles. quarkus-operator-sdk
 * activates it in the prod profile (the packaged operator), not in dev or test.
 */
@ApplicationScoped
public class LeaderElection {

    @Produces
    @ApplicationScoped
    LeaderElectionConfiguration leaderElection(@ConfigProperty(name = "lab.leader-election.lease-name", defaultValue = "lab-operator") String leaseName) {
        // No namespace given: the Lease goes to the operator's own namespace (the client's namespace).
        return new LeaderElectionConfiguration(leaseName);
    }
}

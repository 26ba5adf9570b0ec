package io.k8slab.lab.join;

import static io.k8slab.lab.join.TokenRotation.Need.HOLD;
import static io.k8slab.lab.join.TokenRotation.Need.NONE;
import static io.k8slab.lab.join.TokenRotation.Need.USE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRotationTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(30);
    private static final String OWNER = "uid-1";

    /** A token of OWNER (unless told) that expires {@code minutesLeft} from now. */
    private static IssuedToken token(String id, int minutesLeft, String owner) {
        return new IssuedToken(BootstrapToken.of(id, "0123456789abcdef").orElseThrow(), NOW.plus(Duration.ofMinutes(minutesLeft)), owner);
    }

    private static final IssuedToken FRESH = token("fresh1", 25, OWNER);
    private static final IssuedToken FRESHER = token("fresh2", 29, OWNER);
    private static final IssuedToken WORN = token("worn01", 9, OWNER); // under a third of 30m left
    private static final IssuedToken EXPIRED = token("gone01", -1, OWNER);
    private static final IssuedToken FOREIGN = token("other1", 29, "uid-of-a-deleted-labcluster");

    static Stream<Arguments> cases() {
        return Stream.of(
                // description, found, need, in use, expected use, expected issue, expected deletions
                Arguments.of("nothing found, joins pending: issue", List.of(), USE, Set.of(), null, true, List.of()),
                Arguments.of("a fresh token is reused", List.of(FRESH), USE, Set.of(), FRESH, false, List.of()),
                Arguments.of("the freshest of two is kept", List.of(FRESH, FRESHER), USE, Set.of(), FRESHER, false, List.of(FRESH)),
                Arguments.of("a worn token is replaced", List.of(WORN), USE, Set.of(), null, true, List.of(WORN)),
                Arguments.of("a worn token a join still uses stays", List.of(WORN), USE, Set.of("worn01"), null, true, List.of()),
                Arguments.of("an expired token goes even if in use", List.of(EXPIRED), USE, Set.of("gone01"), null, true, List.of(EXPIRED)),
                Arguments.of("another owner's token is not used", List.of(FOREIGN), USE, Set.of(), null, true, List.of(FOREIGN)),
                Arguments.of("joins blocked: a fresh token stays, none is issued", List.of(FRESH), HOLD, Set.of(), FRESH, false, List.of()),
                Arguments.of("joins blocked: a worn token goes, none is issued", List.of(WORN), HOLD, Set.of(), null, false, List.of(WORN)),
                Arguments.of("joins blocked, nothing found: none is issued", List.of(), HOLD, Set.of(), null, false, List.of()),
                Arguments.of("nothing pending: every token goes", List.of(FRESH, WORN), NONE, Set.of(), null, false, List.of(FRESH, WORN)),
                Arguments.of("nothing pending, one still in use", List.of(FRESH), NONE, Set.of("fresh1"), null, false, List.of()),
                Arguments.of("nothing pending, nothing found", List.of(), NONE, Set.of(), null, false, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(String description, List<IssuedToken> found, TokenRotation.Need need, Set<String> inUse, IssuedToken use, boolean issue,
            List<IssuedToken> delete) {
        TokenRotation.Plan plan = TokenRotation.plan(found, need, OWNER, TTL, NOW, inUse);
        assertThat(plan.use().orElse(null)).isEqualTo(use);
        assertThat(plan.issue()).isEqualTo(issue);
        assertThat(plan.delete()).containsExactlyInAnyOrderElementsOf(delete);
    }
}

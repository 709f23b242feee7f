package io.riffle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
    private static final Authorizer AUTHORIZER = new Authorizer(SecurityFixtures.ACCOUNT);
    private static final String ORDERS = SecurityFixtures.streamArn("orders");

    private static Principal principal(String... policies) {
        return new Principal("alice", Principal.arnOf(SecurityFixtures.ACCOUNT, "alice"),
                java.util.Arrays.stream(policies).map(p -> PolicyDocument.parse(p, false)).toList());
    }

    @Test
    void wildcardsMatchActionsCaseInsensitivelyAndResourcesExactly() {
        Principal p = principal("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kinesis:Get*\",\"Resource\":\""
                + SecurityFixtures.streamArn("ord?rs") + "\"}}");
        assertThat(AUTHORIZER.decide(p, "kinesis:getrecords", ORDERS, Optional.empty())).isEqualTo(Authorizer.Decision.ALLOW);
        assertThat(AUTHORIZER.decide(p, "kinesis:PutRecord", ORDERS, Optional.empty())).isEqualTo(Authorizer.Decision.IMPLICIT_DENY);
        assertThat(AUTHORIZER.decide(p, "kinesis:GetRecords", SecurityFixtures.streamArn("ORDERS"), Optional.empty()))
                .isEqualTo(Authorizer.Decision.IMPLICIT_DENY);
    }

    @Test
    void anExplicitDenyWinsWhereverItIs() {
        Principal p = principal("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kinesis:*\",\"Resource\":\"*\"}]}");
        PolicyDocument resource = PolicyDocument.parse("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"kinesis:DeleteStream\",\"Resource\":\"" + ORDERS + "\"}]}", true);
        assertThat(AUTHORIZER.decide(p, "kinesis:DeleteStream", ORDERS, Optional.of(resource))).isEqualTo(Authorizer.Decision.RESOURCE_DENY);
        assertThatThrownBy(() -> AUTHORIZER.require(p, "kinesis:DeleteStream", ORDERS, Optional.of(resource)))
                .isInstanceOfSatisfying(RiffleException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
                    assertThat(e.getMessage()).isEqualTo("User: arn:aws:iam::123456789012:user/alice is not authorized to "
                            + "perform: kinesis:DeleteStream on resource: " + ORDERS + " with an explicit deny in a resource-based policy");
                });
    }

    @Test
    void aResourcePolicyGrantsOnlyThePrincipalsItNames() {
        Principal p = principal();
        for (String named : List.of("\"*\"", "{\"AWS\":\"123456789012\"}", "{\"AWS\":[\"arn:aws:iam::123456789012:user/alice\"]}",
                "{\"AWS\":\"arn:aws:iam::123456789012:root\"}")) {
            PolicyDocument resource = PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":" + named
                    + ",\"Action\":\"kinesis:PutRecord\",\"Resource\":\"*\"}}", true);
            assertThat(AUTHORIZER.decide(p, "kinesis:PutRecord", ORDERS, Optional.of(resource))).as(named).isEqualTo(Authorizer.Decision.ALLOW);
        }
        PolicyDocument bob = PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::123456789012:user/bob\"},\"Action\":\"kinesis:PutRecord\",\"Resource\":\"*\"}}", true);
        assertThat(AUTHORIZER.decide(p, "kinesis:PutRecord", ORDERS, Optional.of(bob))).isEqualTo(Authorizer.Decision.IMPLICIT_DENY);
    }

    @Test
    void malformedPoliciesAreRefused() {
        assertThatThrownBy(() -> PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", true))
                .hasMessageContaining("needs a Principal");
        assertThatThrownBy(() -> PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}}", false))
                .hasMessageContaining("Allow or Deny");
        assertThatThrownBy(() -> PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"*\",\"Resource\":\"*\"}}", false))
                .hasMessageContaining("'NotAction' is not supported");
        assertThatThrownBy(() -> PolicyDocument.parse("not json", false)).hasMessageContaining("not valid JSON");
    }
}

package io.riffle.security;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.util.Optional;

/**
 * IAM's evaluation, for one account: an explicit Deny in the principal's policies or the resource's policy
 * wins; otherwise an Allow in either grants; otherwise the request is implicitly denied. Failures are
 * AccessDeniedException worded as AWS words them, so tools that parse them keep working. Stateless.
 */
public final class Authorizer {
    private final String accountId;

    public Authorizer(String accountId) {
        this.accountId = accountId;
    }

    /** How a request was judged. */
    public enum Decision {
        ALLOW, IMPLICIT_DENY, IDENTITY_DENY, RESOURCE_DENY
    }

    /**
     * Judges {@code action} (e.g. {@code kinesis:PutRecord}) on {@code resource} (an ARN, or {@code *}).
     *
     * @param resourcePolicy the resource's policy, if it has one
     */
    public Decision decide(Principal principal, String action, String resource, Optional<PolicyDocument> resourcePolicy) {
        if (principal.policies().stream().anyMatch(p -> p.any(PolicyDocument.Effect.DENY, action, resource))) {
            return Decision.IDENTITY_DENY;
        }
        if (resourcePolicy.filter(p -> p.anyFor(principal, accountId, PolicyDocument.Effect.DENY, action, resource)).isPresent()) {
            return Decision.RESOURCE_DENY;
        }
        boolean allowed = principal.policies().stream().anyMatch(p -> p.any(PolicyDocument.Effect.ALLOW, action, resource))
                || resourcePolicy.filter(p -> p.anyFor(principal, accountId, PolicyDocument.Effect.ALLOW, action, resource)).isPresent();
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    /** As {@link #decide}, throwing AccessDeniedException unless allowed. */
    public void require(Principal principal, String action, String resource, Optional<PolicyDocument> resourcePolicy) {
        Decision d = decide(principal, action, resource, resourcePolicy);
        if (d == Decision.ALLOW) {
            return;
        }
        String why = switch (d) {
            case IDENTITY_DENY -> "with an explicit deny in an identity-based policy";
            case RESOURCE_DENY -> "with an explicit deny in a resource-based policy";
            default -> "because no identity-based policy allows the " + action + " action";
        };
        throw new RiffleException(ErrorCode.ACCESS_DENIED, "User: " + principal.arn() + " is not authorized to perform: "
                + action + " on resource: " + resource + " " + why);
    }
}

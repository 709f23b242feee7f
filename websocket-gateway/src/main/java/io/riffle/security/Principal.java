package io.riffle.security;

import java.util.List;

/**
 * Someone the node knows: a name, the IAM-style ARN messages and resource policies name it by
 * ({@code arn:aws:iam::<account>:user/<name>}), and the identity-based policies attached to it. Secrets stay in
 * {@link CredentialStore}; {@code toString} names the principal only.
 */
public record Principal(String name, String arn, List<PolicyDocument> policies) {
    public Principal {
        policies = List.copyOf(policies);
    }

    /** The ARN of principal {@code name} in {@code accountId}. */
    public static String arnOf(String accountId, String name) {
        return "arn:aws:iam::" + accountId + ":user/" + name;
    }

    @Override
    public String toString() {
        return arn;
    }
}

package io.riffle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
    @TempDir
    Path dir;

    @Test
    void aChangedFileIsReloadedAndAnInvalidOneIgnored() {
        Path file = SecurityFixtures.write(dir);
        CredentialStore store = new CredentialStore(Optional.of(file), SecurityFixtures.ACCOUNT, Optional.empty());
        assertThat(store.token(SecurityFixtures.ADMIN_TOKEN)).isPresent();
        assertThat(store.reloadIfChanged()).as("unchanged").isFalse();

        SecurityFixtures.write(dir, SecurityFixtures.FILE + """
                  - name: late
                    tokens: [late-token-0123456789]
                """);
        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.token("late-token-0123456789").map(Principal::arn)).contains("arn:aws:iam::123456789012:user/late");

        SecurityFixtures.write(dir, "principals: [{name: 'bad name!'}]");
        assertThat(store.reloadIfChanged()).isFalse();
        assertThat(store.token("late-token-0123456789")).as("the last valid version stays").isPresent();
    }

    @Test
    void invalidFilesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> new CredentialStore(Optional.of(SecurityFixtures.write(dir, "principals:\n  - name: a\n"
                + "    policies: [{Statement: {Effect: Allow, Action: '*', Resource: '*', Condition: {}}}]\n")),
                SecurityFixtures.ACCOUNT, Optional.empty()))
                .hasMessageContaining("principal 'a'").hasMessageContaining("'Condition' is not supported");
        assertThatThrownBy(() -> new CredentialStore(Optional.of(SecurityFixtures.write(dir, "principals:\n  - name: a\n"
                + "    tokens: [short]\n")), SecurityFixtures.ACCOUNT, Optional.empty())).hasMessageContaining("16 to 512");
        assertThatThrownBy(() -> new CredentialStore(Optional.of(SecurityFixtures.write(dir, "users: []")),
                SecurityFixtures.ACCOUNT, Optional.empty())).hasMessageContaining("'principals'");
    }

    @Test
    void theSettingsKeyHasFullAccess() {
        CredentialStore store = new CredentialStore(Optional.empty(), SecurityFixtures.ACCOUNT,
                Optional.of(new SecurityOptions.StaticKey("AKIDSETTING", "s3cret", "ops")));
        Principal ops = store.accessKey("AKIDSETTING").orElseThrow().principal();
        assertThat(new Authorizer(SecurityFixtures.ACCOUNT).decide(ops, "kinesis:DeleteStream", SecurityFixtures.streamArn("x"),
                Optional.empty())).isEqualTo(Authorizer.Decision.ALLOW);
    }
}

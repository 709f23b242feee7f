package io.riffle.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A credentials file for tests: an admin, a reader kept away from streams named secret*, and a nobody. */
public final class SecurityFixtures {
    public static final String REGION = "eu-west-1";
    public static final String ACCOUNT = "123456789012";
    public static final String ADMIN_KEY = "AKIDADMIN";
    public static final String ADMIN_SECRET = "admin-secret";
    public static final String ADMIN_TOKEN = "admin-token-0123456789";
    public static final String READER_KEY = "AKIDREADER";
    public static final String READER_SECRET = "reader-secret";
    public static final String READER_TOKEN = "reader-token-0123456789";
    public static final String NOBODY_KEY = "AKIDNOBODY";
    public static final String NOBODY_SECRET = "nobody-secret";

    public static final String FILE = """
            principals:
              - name: admin
                accessKeyId: AKIDADMIN
                secretAccessKey: admin-secret
                tokens: [admin-token-0123456789]
                policies:
                  - Version: "2012-10-17"
                    Statement:
                      - {Effect: Allow, Action: "*", Resource: "*"}
              - name: reader
                accessKeyId: AKIDREADER
                secretAccessKey: reader-secret
                tokens: [reader-token-0123456789]
                policies:
                  - Statement:
                      - Effect: Allow
                        Action: ["kinesis:Describe*", "kinesis:List*", "kinesis:Get*", "kinesis:SubscribeToShard"]
                        Resource: "*"
                      - Effect: Deny
                        Action: "kinesis:*"
                        Resource: "arn:aws:kinesis:eu-west-1:123456789012:stream/secret*"
              - name: nobody
                accessKeyId: AKIDNOBODY
                secretAccessKey: nobody-secret
            """;

    private SecurityFixtures() {
    }

    /** Writes {@link #FILE} to {@code dir/credentials.yaml}. */
    public static Path write(Path dir) {
        return write(dir, FILE);
    }

    public static Path write(Path dir, String content) {
        try {
            Path file = dir.resolve("credentials.yaml");
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ARN of a stream in the fixtures' region and account. */
    public static String streamArn(String name) {
        return "arn:aws:kinesis:" + REGION + ":" + ACCOUNT + ":stream/" + name;
    }
}

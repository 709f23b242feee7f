package io.riffle.log.crypto;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The keyring file of a node: read at start (an invalid file is an error then), re-read by
 * {@link #reloadIfChanged()} (the caller's timer), which swaps in a changed, valid file and otherwise keeps
 * the keyring read before, so disabling a key in the file takes effect without a restart. Thread-safe:
 * readers see one immutable {@link Keyring}.
 */
public final class KeyringFile {
    private static final Logger LOG = LoggerFactory.getLogger(KeyringFile.class);
    private final Path file;
    private volatile Keyring current;
    private volatile byte[] content;

    /** @throws IOException if the file cannot be read or is invalid */
    public KeyringFile(Path file) throws IOException {
        this.file = file;
        this.content = Files.readAllBytes(file);
        this.current = Keyring.parse(content);
    }

    public Keyring keyring() {
        return current;
    }

    /** Blocking (a file read). @return true if a new version is now in force */
    public boolean reloadIfChanged() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            LOG.error("Cannot read the keyring file {} ({}); keeping the keys read before", file, e.toString());
            return false;
        }
        if (Arrays.equals(bytes, content)) {
            return false;
        }
        try {
            current = Keyring.parse(bytes);
            content = bytes;
            LOG.info("Reloaded the keyring file {}", file);
            return true;
        } catch (IOException e) {
            LOG.error("The keyring file {} is invalid, keeping the keys read before: {}", file, e.getMessage());
            return false;
        }
    }
}

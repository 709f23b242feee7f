package io.riffle.node;

/** Bad node configuration: the message names the setting, its value and where the value came from. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}

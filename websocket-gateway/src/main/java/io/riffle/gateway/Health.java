package io.riffle.gateway;

/**
 * The node's lifecycle as {@code GET /health} reports it. Written by the node (one owner), read by every
 * gateway verticle.
 */
public final class Health {
    /** Where the node is in its life. */
    public enum State {
        STARTING, UP, STOPPING
    }

    private volatile State state = State.STARTING;

    public State state() {
        return state;
    }

    public void set(State s) {
        state = s;
    }
}

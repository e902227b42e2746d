package org.tensorbridge.checkpoint;

/**
 * A pickle that names a global outside the weights_only allow-list (e.g. {@code os.system}): refused before
 * anything is built, and nothing in it runs.
 */
public final class UnsafeCheckpointException extends CheckpointException {
    private final String global;

    public UnsafeCheckpointException(String global, String message) {
        super(message);
        this.global = global;
    }

    /** The refused global, as {@code module.name}. */
    public String global() {
        return global;
    }
}

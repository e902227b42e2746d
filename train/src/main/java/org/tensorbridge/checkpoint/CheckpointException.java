package org.tensorbridge.checkpoint;

import java.io.IOException;

/** A checkpoint that cannot be read: corrupt, truncated, or not a format we read; the message says where. */
public class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

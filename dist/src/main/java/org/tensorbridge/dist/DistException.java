package org.tensorbridge.dist;

/** A collective or a rendezvous failed; the message names the rank, the world size and what to check. */
public class DistException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DistException(String message) {
        super(message);
    }

    public DistException(String message, Throwable cause) {
        super(message, cause);
    }
}

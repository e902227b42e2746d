package org.tensorbridge.dist;

/** A collective did not complete within its timeout: another rank is slow, hung or gone. */
public class DistTimeoutException extends DistException {
    private static final long serialVersionUID = 1L;

    public DistTimeoutException(String message) {
        super(message);
    }
}

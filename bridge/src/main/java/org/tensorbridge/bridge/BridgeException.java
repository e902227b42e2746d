package org.tensorbridge.bridge;

/**
 * A refused exchange between an NDArray and a Tensor. The message says what was wrong and how to fix it
 * (usually: which call to make first, or which copying variant to use).
 */
public class BridgeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BridgeException(String message) {
        super(message);
    }
}

package org.tensorbridge.torch;

/** Thrown for a dtype or type libtorch rejected (c10::TypeError). */
public class TorchTypeException extends TorchException {
    private static final long serialVersionUID = 1L;

    public TorchTypeException(String message) {
        super(message);
    }
}

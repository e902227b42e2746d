package org.tensorbridge.torch;

/** Thrown for a value libtorch rejected (c10::ValueError). */
public class TorchValueException extends TorchException {
    private static final long serialVersionUID = 1L;

    public TorchValueException(String message) {
        super(message);
    }
}

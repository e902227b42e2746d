package org.tensorbridge.torch;

/** Thrown for an index out of range (libtorch's c10::IndexError). */
public class TorchIndexException extends TorchException {
    private static final long serialVersionUID = 1L;

    public TorchIndexException(String message) {
        super(message);
    }
}

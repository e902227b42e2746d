package org.tensorbridge.torch;

/** Thrown for an operation libtorch does not implement for these inputs (c10::NotImplementedError). */
public class TorchNotImplementedException extends TorchException {
    private static final long serialVersionUID = 1L;

    public TorchNotImplementedException(String message) {
        super(message);
    }
}

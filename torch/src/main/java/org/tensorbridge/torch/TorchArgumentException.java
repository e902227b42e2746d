package org.tensorbridge.torch;

/** Thrown for arguments that do not fit an operator's schema; nothing ran, so another overload may be tried. */
public class TorchArgumentException extends TorchException {
    private static final long serialVersionUID = 1L;

    public TorchArgumentException(String message) {
        super(message);
    }
}

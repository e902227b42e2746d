package org.tensorbridge.torch;

/** Thrown for a CUDA-only call where no CUDA device is usable; `tensorbridge doctor` explains why. */
public class CudaUnavailableException extends TorchException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message) {
        super(message);
    }
}

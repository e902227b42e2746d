package org.tensorbridge.torch.internal;

import org.tensorbridge.torch.CudaUnavailableException;
import org.tensorbridge.torch.TorchArgumentException;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.TorchIndexException;
import org.tensorbridge.torch.TorchNotImplementedException;
import org.tensorbridge.torch.TorchOutOfMemoryException;
import org.tensorbridge.torch.TorchTypeException;
import org.tensorbridge.torch.TorchValueException;

/** Turns the shim's status codes (tensorbridge.h, enum tb_status) into Java exceptions. */
public final class Status {
    static final int OK = 0;
    static final int ARGUMENT = 9;

    private Status() {
    }

    /** Throws the exception for {@code code} with the thread's error message; returns for TB_OK. */
    static void check(int code) {
        if (code != OK) {
            throw exception(code, Native.lastError());
        }
    }

    /**
     * libtorch's words when a CUDA build finds no usable driver or GPU at CUDA's lazy initialisation (creating or
     * moving a tensor to CUDA): these become {@link CudaUnavailableException} like every other "no CUDA here".
     */
    private static final java.util.List<String> CUDA_INIT_FAILURES = java.util.List.of(
            "Found no NVIDIA driver on your system",
            "no CUDA GPUs are available",
            "CUDA driver version is insufficient",
            "CUDA-capable device(s) is/are busy or unavailable",
            "forward compatibility was attempted on non supported HW",
            "cudaErrorNoDevice",
            "cudaErrorInsufficientDriver");

    static boolean isCudaInitFailure(String message) {
        return message != null && CUDA_INIT_FAILURES.stream().anyMatch(message::contains);
    }

    static TorchException exception(int code, String message) {
        if (code != 6 && code != 7 && isCudaInitFailure(message)) {
            code = 7;
            message = "CUDA is unavailable here (a CUDA build of libtorch without a usable driver or GPU): " + message;
        }
        if (code != 6 && isOutOfMemory(message)) {
            code = 6;  // libtorch 1.13 reports a failed host allocation as a plain c10::Error
        }
        message = DtypeMismatch.withFix(message);
        return switch (code) {
            case 2 -> new TorchIndexException(message);
            case 3 -> new TorchValueException(message);
            case 4 -> new TorchTypeException(message);
            case 5 -> new TorchNotImplementedException(message);
            case 6 -> new TorchOutOfMemoryException(message + "; free memory (close tensors, or run in a Scope) or"
                    + " use smaller batches", safeStats());
            case 7 -> new CudaUnavailableException(message + "; run `tensorbridge doctor` to see why");
            case ARGUMENT -> new TorchArgumentException(message);
            default -> new TorchException(message);
        };
    }

    private static boolean isOutOfMemory(String message) {
        return message.contains("not enough memory") || message.contains("out of memory")
                || message.contains("can't allocate memory") || message.contains("Cannot allocate memory");
    }

    // Statistics for an out-of-memory report: never throws (CUDA may be absent or not yet initialised).
    private static java.util.List<org.tensorbridge.torch.CudaMemory.Stats> safeStats() {
        try {
            return org.tensorbridge.torch.CudaMemory.allStats();
        } catch (RuntimeException | Error e) {
            return java.util.List.of();
        }
    }

    /** A Throwable from invokeExact itself: a bug in the binding, never a libtorch error. */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("native call failed unexpectedly", t);
    }
}

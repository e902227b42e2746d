package org.tensorbridge.cli.training;

import java.util.Locale;
import org.tensorbridge.cli.UsageException;
import org.tensorbridge.core.DType;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;

/** Mixed precision for --amp: none, float16 autocast with a GradScaler (CUDA), or bfloat16 autocast. */
public enum Precision {
    OFF(null), FP16(DType.FLOAT16), BF16(DType.BFLOAT16);

    private final DType autocastType;

    Precision(DType autocastType) {
        this.autocastType = autocastType;
    }

    /** The autocast dtype, or null for OFF. */
    public DType autocastType() {
        return autocastType;
    }

    /** float16 needs loss scaling (its range is small); bfloat16 has float32's range. */
    public boolean needsGradScaler() {
        return this == FP16;
    }

    /** {@code auto|off|fp16|bf16} on {@code device}: auto is fp16 on CUDA and off on the CPU. */
    public static Precision resolve(String amp, Device device) {
        boolean cuda = device.type() == DeviceType.CUDA;
        Precision precision = switch (amp.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> cuda ? FP16 : OFF;
            case "off", "none", "fp32" -> OFF;
            case "fp16", "float16" -> FP16;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new UsageException("--amp " + amp + ": use auto, off, fp16 or bf16");
        };
        if (precision == FP16 && !cuda) {
            throw new UsageException("--amp fp16 needs a CUDA device (libtorch's CPU autocast runs bfloat16):"
                    + " use --amp bf16 or off on the CPU");
        }
        return precision;
    }

    public String describe() {
        return switch (this) {
            case OFF -> "float32";
            case FP16 -> "float16 autocast + GradScaler";
            case BF16 -> "bfloat16 autocast";
        };
    }
}

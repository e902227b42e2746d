package org.tensorbridge.bench;

import org.tensorbridge.core.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;

/**
 * Per-call cost of the foundation: an ATen operator called by name (cached handle; and with overload
 * resolution), a typed method, and a from_blob wrap + free with a Java deleter. bench/torch_calls.py
 * measures Python's cost for the same calls; bench/torch_calls.sh runs both.
 */
public final class TorchCallBench {
    private TorchCallBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        try (Tensor a = Tensor.ones(4); Tensor b = Tensor.ones(4); Arena arena = Arena.ofShared()) {
            Op add = Op.of("aten::add.Tensor");
            Timer.report("op_add_by_name", Timer.medianSeconds(rounds, reps, () -> add.apply(a, b).close()));
            Timer.report("op_add_resolved", Timer.medianSeconds(rounds, reps, () -> Op.callTensor("aten::add", a, b).close()));
            Timer.report("tensor_add_typed", Timer.medianSeconds(rounds, reps, () -> a.add(b).close()));
            try (Tensor m = Tensor.ones(2, 3)) {
                Timer.report("libtorch_error_mm", Timer.medianSeconds(rounds, Math.max(reps / 100, 10), () -> {
                    try {
                        m.mm(m).close();
                    } catch (org.tensorbridge.torch.TorchException expected) {
                        // the cost of a libtorch error, turned into a Java exception
                    }
                }));
            }
            MemorySegment data = arena.allocate(4 * 1024, 64);
            long[] shape = {1024};
            long[] strides = {1};
            Runnable release = () -> { };
            Timer.report("from_blob_wrap_free", Timer.medianSeconds(rounds, reps,
                    () -> Tensor.wrap(data, DType.FLOAT32, shape, strides, 0, Device.CPU, release).close()));
        }
    }
}

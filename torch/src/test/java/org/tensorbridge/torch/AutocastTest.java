package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorbridge.torch.TorchOracle.Results;

/** Autocast on the CPU, as torch.autocast("cpu", dtype=torch.bfloat16), values vs PyTorch. */
class AutocastTest {
    private static Tensor a, b;
    private static Results torch;

    @BeforeAll
    static void computeWithPyTorch() {
        a = TorchOracle.random(51, DType.FLOAT32, 8, 16);
        b = TorchOracle.random(52, DType.FLOAT32, 16, 4);
        torch = new TorchOracle().input("a", a).input("b", b)
                .exec("""
                        with torch.autocast('cpu', dtype=torch.bfloat16):
                            amp_mm = a.mm(b)
                            amp_add = a + 1
                        """)
                .expect("amp_mm", "amp_mm").expect("amp_add", "amp_add").expect("plain_mm", "a.mm(b)")
                .run();
    }

    @AfterAll
    static void close() {
        a.close();
        b.close();
    }

    @Test
    void cpuBfloat16ScopeMatchesTorchAutocast() {
        try (Autocast amp = Autocast.enable(DeviceType.CPU, DType.BFLOAT16)) {
            try (Tensor mm = a.mm(b); Tensor add = a.add(1.0)) {
                assertEquals(DType.BFLOAT16, mm.dtype(), "mm runs in bfloat16 under autocast");
                torch.assertClose("amp_mm", mm, 0, 0);
                assertEquals(DType.FLOAT32, add.dtype(), "add is not on autocast's lower-precision list");
                torch.assertClose("amp_add", add);
            }
        }
        try (Tensor mm = a.mm(b)) {
            assertEquals(DType.FLOAT32, mm.dtype(), "float32 again after the scope closed");
            torch.assertClose("plain_mm", mm);
        }
    }

    @Test
    void nestedScopesRestoreAndDoubleCloseIsHarmless() {
        Autocast outer = Autocast.enable(DeviceType.CPU, DType.BFLOAT16);
        try (Autocast inner = Autocast.enable(DeviceType.CPU, DType.BFLOAT16); Tensor mm = a.mm(b)) {
            assertEquals(DType.BFLOAT16, mm.dtype());
        }
        try (Tensor mm = a.mm(b)) {
            assertEquals(DType.BFLOAT16, mm.dtype(), "the outer scope is still active");
        }
        outer.close();
        outer.close();
        try (Tensor mm = a.mm(b)) {
            assertEquals(DType.FLOAT32, mm.dtype());
        }
    }

    @Test
    void autocastIsPerThread() throws Exception {
        try (Autocast amp = Autocast.enable(DeviceType.CPU, DType.BFLOAT16)) {
            DType other = CompletableFuture.supplyAsync(() -> {
                try (Tensor mm = a.mm(b)) {
                    return mm.dtype();
                }
            }).get();
            assertEquals(DType.FLOAT32, other, "another thread is not affected");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try {
                    CompletableFuture.runAsync(amp::close).get();
                } catch (java.util.concurrent.ExecutionException ex) {
                    throw ex.getCause();
                }
            });
            assertTrue(e.getMessage().contains("per thread"), e.getMessage());
        }
    }

    @Test
    void invalidAutocastArguments() {
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> Autocast.enable(DeviceType.CPU, DType.FLOAT32));
        assertTrue(dtype.getMessage().contains("float32"), dtype.getMessage());
        IllegalArgumentException device = assertThrows(IllegalArgumentException.class,
                () -> Autocast.enable(DeviceType.META, DType.BFLOAT16));
        assertTrue(device.getMessage().contains("meta"), device.getMessage());
        try (Tensor mm = a.mm(b)) {
            assertEquals(DType.FLOAT32, mm.dtype(), "a rejected scope changed nothing");
        }
    }
}

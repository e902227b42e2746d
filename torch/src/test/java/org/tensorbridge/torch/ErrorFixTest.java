package org.tensorbridge.torch;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.core.DType;
import org.tensorbridge.testkit.ScopePerTest;

/** Errors a new user meets, each with the fix in its message (issue: every error names the fix). */
@ExtendWith(ScopePerTest.class)
class ErrorFixTest {

    private static void assertMentions(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                    "message should mention \"" + part + "\": " + e.getMessage());
        }
    }

    @Test
    void mixedDtypesNameTheConversion() {
        Tensor doubles = Tensor.ones(TensorOptions.of(DType.FLOAT64), 2, 2);
        Tensor floats = Tensor.ones(2, 2);
        TorchException e = assertThrows(TorchException.class, () -> doubles.mm(floats));
        assertMentions(e, "float64", "float32", ".to(DType.");
    }

    @Test
    void cudaOnACpuOnlyBuildIsCudaUnavailable() {
        assumeFalse(Torch.cudaAvailable(), "CUDA is usable here");
        Tensor x = Tensor.ones(2);
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> x.to(Device.cuda(0)));
        assertMentions(e, "doctor");
    }

    @Test
    void hostOutOfMemoryInsideLibtorchIsTorchOutOfMemory() {
        TorchOutOfMemoryException e = assertThrows(TorchOutOfMemoryException.class,
                () -> Tensor.empty(1L << 46));  // 256 TiB of float32
        assertMentions(e, "memory");
    }

    @Test
    void aMultiResultOperatorThroughASingleResultCallIsAnError() {
        Tensor x = Tensor.rand(3, 4);
        TorchArgumentException e = assertThrows(TorchArgumentException.class,
                () -> Op.callTensor("aten::max", x, 1L));
        assertMentions(e, "aten::max", "returns 2 values", "Op.call");
    }

    @Test
    void emptyCacheWithoutCudaDoesNothing() {
        assumeFalse(Torch.cudaAvailable(), "CUDA is usable here");
        assertDoesNotThrow(CudaMemory::emptyCache);
        assertEquals(0, CudaMemory.allStats().size());
    }

    @Test
    void complexValuesAreNotSilentlyDropped() {
        Tensor z = Op.callTensor("aten::complex", Tensor.of(new float[] {1, 2}), Tensor.of(new float[] {3, -4}));
        TorchTypeException e = assertThrows(TorchTypeException.class, z::toDoubleArray);
        assertMentions(e, "toComplexArray()", "imaginary");
        assertEquals(4, z.toComplexArray().length);
        assertEquals(-4.0, z.toComplexArray()[3]);
    }

    @Test
    void exceptionTypesKeepTheirContract() {
        assertInstanceOf(TorchException.class, new TorchOutOfMemoryException("x", java.util.List.of()));
    }
}

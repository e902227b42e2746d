package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Bad calls throw exceptions whose messages say what went wrong, and the library keeps working afterwards
 * (every test ends with a normal computation, see {@link #libraryStillWorks()}).
 */
class ErrorHandlingTest {

    @AfterEach
    void libraryStillWorks() {
        try (Tensor a = Tensor.ones(2, 3); Tensor b = Tensor.ones(3, 2); Tensor c = a.mm(b); Tensor s = c.sum()) {
            assertEquals(12.0, s.item(), "a normal op after the bad call");
        }
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                    "message should mention \"" + part + "\": " + e.getMessage());
        }
    }

    @Test
    void shapeMismatchNamesTheShapes() {
        try (Tensor a = Tensor.zeros(2, 3); Tensor b = Tensor.zeros(2, 3)) {
            TorchException e = assertThrows(TorchException.class, () -> a.mm(b));
            assertMentions(e, "aten::mm", "2x3 and 2x3");
            assertFalse(e.getMessage().contains("Exception raised from"), "no C++ backtrace in the message");
            TorchException broadcast = assertThrows(TorchException.class, () -> {
                try (Tensor c = Tensor.zeros(3); Tensor d = Tensor.zeros(4)) {
                    c.add(d);
                }
            });
            assertMentions(broadcast, "aten::add.Tensor", "(3)", "(4)");
        }
    }

    @Test
    void unknownOperatorIsNamed() {
        TorchException byOf = assertThrows(TorchException.class, () -> Op.of("aten::frobnicate"));
        assertMentions(byOf, "aten::frobnicate", Torch.version());
        TorchException byCall = assertThrows(TorchException.class, () -> Op.call("aten::frobnicate", 1L));
        assertMentions(byCall, "aten::frobnicate");
        TorchException qualified = assertThrows(TorchException.class, () -> Op.call("aten::frobnicate.dim", 1L));
        assertMentions(qualified, "aten::frobnicate.dim");
        // A named overload needs no resolution: Op.call uses it directly.
        try (Tensor x = Tensor.ones(2, 2); OpResult maxDim = Op.call("aten::max.dim", x, 1L)) {
            assertEquals(2, maxDim.size());
        }
    }

    @Test
    void unknownOverloadListsTheOverloads() {
        TorchException e = assertThrows(TorchException.class, () -> Op.of("aten::add.Bogus"));
        assertMentions(e, "aten::add.Bogus", "Tensor", "Scalar");
        TorchException noDefault = assertThrows(TorchException.class, () -> Op.of("aten::split"));
        assertMentions(noDefault, "aten::split", "Tensor", "sizes");
    }

    @Test
    void wrongArgumentTypeNamesArgumentAndSchema() {
        try (Tensor x = Tensor.ones(3)) {
            TorchArgumentException e = assertThrows(TorchArgumentException.class,
                    () -> Op.of("aten::add.Tensor").apply(x, "text"));
            assertMentions(e, "'other'", "expects Tensor", "str",
                    "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
            TorchArgumentException none = assertThrows(TorchArgumentException.class,
                    () -> Op.of("aten::add.Tensor").apply(x, (Object) null));
            assertMentions(none, "'other'", "None");
            TorchArgumentException resolution = assertThrows(TorchArgumentException.class,
                    () -> Op.call("aten::add", x, "text"));
            assertMentions(resolution, "no overload of aten::add", "aten::add.Scalar(", "aten::add.Tensor(");
            IllegalArgumentException javaType = assertThrows(IllegalArgumentException.class,
                    () -> Op.of("aten::relu").apply(new StringBuilder()));
            assertMentions(javaType, "java.lang.StringBuilder");
        }
    }

    @Test
    void missingUnknownDuplicateAndSurplusArguments() {
        try (Tensor x = Tensor.ones(3)) {
            TorchArgumentException missing = assertThrows(TorchArgumentException.class,
                    () -> Op.of("aten::add.Tensor").apply(x));
            assertMentions(missing, "missing required argument", "'other'", "aten::add.Tensor(");
            TorchArgumentException unknown = assertThrows(TorchArgumentException.class,
                    () -> Op.of("aten::add.Tensor").apply(x, x, Op.kw("beta", 2)));
            assertMentions(unknown, "'beta'", "aten::add.Tensor(");
            TorchArgumentException twice = assertThrows(TorchArgumentException.class,
                    () -> Op.of("aten::add.Tensor").apply(x, x, Op.kw("other", x)));
            assertMentions(twice, "'other'", "twice");
            TorchArgumentException surplus = assertThrows(TorchArgumentException.class,
                    () -> Op.of("aten::relu").apply(x, x));
            assertMentions(surplus, "aten::relu", "takes 1");
        }
    }

    @Test
    void closedTensorThrowsIllegalState() {
        Tensor x = Tensor.ones(3);
        x.close();
        assertTrue(x.isClosed());
        assertEquals("Tensor(closed)", x.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, x::shape);
        assertMentions(e, "closed");
        assertThrows(IllegalStateException.class, x::item);
        assertThrows(IllegalStateException.class, () -> x.add(1.0));
        try (Tensor y = Tensor.ones(3)) {
            IllegalStateException asArgument = assertThrows(IllegalStateException.class, () -> y.add(x));
            assertMentions(asArgument, "closed");
            assertThrows(IllegalStateException.class, () -> Tensor.cat(List.of(y, x), 0));
        }
    }

    @Test
    void indexOutOfRangeIsAnIndexError() {
        try (Tensor x = Tensor.zeros(3)) {
            TorchIndexException e = assertThrows(TorchIndexException.class, () -> x.select(0, 5));
            assertMentions(e, "aten::select.int", "index 5 out of range", "size [3]");
            TorchIndexException dim = assertThrows(TorchIndexException.class, () -> x.sum(new long[] {5}, false));
            assertMentions(dim, "Dimension out of range", "got 5");
            try (Tensor index = Tensor.full(TensorOptions.of(DType.INT64), 7, 1)) {
                TorchException gather = assertThrows(TorchException.class, () -> x.indexSelect(0, index));
                assertMentions(gather, "out of range");
            }
        }
    }

    @Test
    void invalidViewSuggestsReshape() {
        try (Tensor x = Tensor.zeros(2, 3); Tensor t = x.t()) {
            TorchException e = assertThrows(TorchException.class, () -> t.view(6));
            assertMentions(e, "aten::view", "reshape");
            TorchException size = assertThrows(TorchException.class, () -> x.view(4));
            assertMentions(size, "[4]", "6");
        }
    }

    @Test
    void itemOfManyElementsOrComplex() {
        try (Tensor x = Tensor.zeros(3)) {
            TorchException e = assertThrows(TorchException.class, x::item);
            assertMentions(e, "3 elements");
            assertThrows(TorchException.class, x::itemLong);
        }
        try (Tensor z = Tensor.zeros(TensorOptions.of(DType.COMPLEX64), 1)) {
            TorchException e = assertThrows(TorchException.class, z::item);
            assertMentions(e, "complex");
        }
    }

    @Test
    void dtypeMissingFromThisLibtorch() {
        Assumptions.assumeFalse(Torch.supports(DType.UINT16), "libtorch " + Torch.version() + " has uint16");
        TorchTypeException code = assertThrows(TorchTypeException.class, () -> ScalarTypes.code(DType.UINT16));
        assertMentions(code, "uint16", Torch.version());
        try (Tensor x = Tensor.zeros(2)) {
            TorchTypeException to = assertThrows(TorchTypeException.class, () -> x.to(DType.UINT16));
            assertMentions(to, "uint16");
        }
        assertThrows(TorchTypeException.class, () -> Tensor.zeros(TensorOptions.of(DType.UINT32), 2));
        assertFalse(Torch.supports(DType.FLOAT8_E5M2) && Torch.version().startsWith("1."));
    }

    @Test
    void newerDtypesWorkWhereSupported() {
        Assumptions.assumeTrue(Torch.supports(DType.UINT16), "libtorch " + Torch.version() + " lacks uint16");
        try (Tensor x = Tensor.full(TensorOptions.of(DType.UINT16), 65535, 2); Tensor last = x.select(0, 1)) {
            assertEquals(DType.UINT16, x.dtype());
            assertEquals(65535, last.itemLong());
        }
    }

    @Test
    void invalidJavaSideArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Device(DeviceType.CPU, -2));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu:0")), "tpu");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x")), "cuda:x");
        assertThrows(IllegalArgumentException.class, () -> new TensorOptions(null, Device.CPU, false));
    }

    @Test
    void errorMessagesArePerThread() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Void>> jobs = new ArrayList<>();
            for (int worker = 0; worker < 2; worker++) {
                int size = 3 + worker;
                jobs.add(() -> {
                    try (Tensor x = Tensor.zeros(size)) {
                        for (int i = 0; i < 300; i++) {
                            TorchIndexException e = assertThrows(TorchIndexException.class, () -> x.select(0, 10));
                            assertMentions(e, "size [" + size + "]");
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void exceptionHierarchy() {
        try (Tensor x = Tensor.zeros(3)) {
            TorchException e = assertThrows(TorchException.class, () -> x.select(0, 9));
            assertInstanceOf(TorchIndexException.class, e);
            assertInstanceOf(RuntimeException.class, e);
        }
    }
}

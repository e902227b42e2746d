package org.tensorbridge.bridge;

import org.tensorbridge.testkit.Unwritable;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertPendingBackTo;
import static org.tensorbridge.bridge.BridgeTestSupport.assertRefused;
import static org.tensorbridge.bridge.BridgeTestSupport.firstElementAddress;
import static org.tensorbridge.bridge.BridgeTestSupport.mib;
import static org.tensorbridge.bridge.BridgeTestSupport.rssBytes;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.ndarray.io.MmapMode;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.internal.Deleters;

/**
 * A .npy written by NumPy, memory-mapped by NpyFile, becomes a tensor without a copy: the tensor's data
 * pointer is the mapped array's first element (inside the mapping, right after the header), a write
 * through the tensor reaches the file in READ_WRITE mode (NumPy reads it back) and not in COPY_ON_WRITE
 * mode, and the mapping stays valid for the tensor after the array is closed.
 */
class MmapSharingTest {
    @TempDir
    Path dir;
    private int pending;

    @BeforeEach
    void files() {
        pending = Deleters.pending();
        Python.debian().run("""
                import sys, os, numpy as np
                d = sys.argv[1]
                np.save(os.path.join(d, 'c.npy'), np.arange(1000, dtype=np.float32).reshape(10, 100))
                np.save(os.path.join(d, 'f.npy'), np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4)))
                np.save(os.path.join(d, 'big.npy'), np.zeros((64 << 20) // 8, dtype=np.float64))
                """, dir.toString());
    }

    private String numpy(String expression) {
        return Python.debian().run("""
                import sys, os, numpy as np
                a = np.load(os.path.join(sys.argv[1], sys.argv[2]))
                print(' '.join(repr(float(x)) for x in np.ravel(%s)))
                """.formatted(expression), dir.toString(), "c.npy").trim();
    }

    @Test
    void readWriteMappingIsSharedAndWritesReachTheFile() throws Exception {
        NDArray mapped = NpyFile.mmap(dir.resolve("c.npy"), MmapMode.READ_WRITE);
        NDBuffer buffer = mapped.buffer();
        long mappingStart = buffer.segment().address();
        Tensor tensor = Bridge.fromArray(mapped);
        assertEquals(firstElementAddress(mapped), tensor.dataAddress(), "the tensor's data is the mapped first element");
        assertEquals(mappingStart + mapped.byteOffset(), tensor.dataAddress(), "right after the .npy header in the mapping");
        assertTrue(mapped.byteOffset() >= 64 && mapped.byteOffset() % 64 == 0, "NumPy pads the header to 64 bytes");
        assertArrayEquals(new long[] {10, 100}, tensor.shape());
        assertEquals(999.0, values(tensor)[999]);

        try (Tensor row = tensor.select(0, 3)) {
            row.mul_(-1);           // elements 300..399 negated through libtorch
        }
        assertEquals(-350.0, mapped.getDouble(3, 50), "seen through the mapped array");
        mapped.close();                   // the tensor still holds the mapping
        assertTrue(buffer.isAlive());
        tensor.close();
        assertFalse(buffer.isAlive(), "unmapped once the tensor let go");
        assertPendingBackTo(pending);

        assertEquals("-300.0 -350.0 -399.0 400.0", numpy("a[[3, 3, 3, 4], [0, 50, 99, 0]]"), "NumPy reads the write from the file");
    }

    @Test
    void copyOnWriteMappingIsSharedButTheFileIsUntouched() throws Exception {
        try (NDArray mapped = NpyFile.mmap(dir.resolve("c.npy"), MmapMode.COPY_ON_WRITE); Tensor tensor = Bridge.fromArray(mapped)) {
            assertFalse(mapped.isReadOnly());
            assertEquals(firstElementAddress(mapped), tensor.dataAddress());
            assertEquals(mapped.buffer().segment().address() + mapped.byteOffset(), tensor.dataAddress());
            tensor.mul_(2);
            assertEquals(1998.0, mapped.getDouble(9, 99), "the private copy of the page is shared by both sides");
        }
        assertEquals("0.0 1.0 999.0", numpy("a.ravel()[[0, 1, 999]]"), "the file is unchanged");
        assertPendingBackTo(pending);
    }

    @Test
    void copyOnWriteMapsAReadOnlyFileAndTensorWritesNeverReachIt() throws Exception {
        Path file = dir.resolve("c.npy");
        byte[] before = Files.readAllBytes(file);
        try (Unwritable unwritable = new Unwritable(file)) {   // r--r--r--, and immutable when we are root
            try (NDArray mapped = NpyFile.mmap(file, MmapMode.COPY_ON_WRITE); Tensor tensor = Bridge.fromArray(mapped)) {
                assertFalse(mapped.isReadOnly());
                assertEquals(mapped.buffer().segment().address() + mapped.byteOffset(), tensor.dataAddress(),
                        "shared, not copied: the tensor's data is in the mapping, right after the header");
                tensor.mul_(-2);
                assertEquals(-1998.0, mapped.getDouble(9, 99), "the write through the tensor is seen by the array");
            }
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the file's bytes are unchanged");
        assertEquals("0.0 1.0 999.0", numpy("a.ravel()[[0, 1, 999]]"), "NumPy reads the original");
        assertPendingBackTo(pending);
    }

    @Test
    void readOnlyMappingIsRefused() throws Exception {
        try (NDArray mapped = NpyFile.mmap(dir.resolve("c.npy"), MmapMode.READ_ONLY)) {
            assertRefused(BridgeException.class, () -> Bridge.fromArray(mapped), "read-only", "copy-on-write", "copyFromArray");
            try (Tensor copy = Bridge.copyFromArray(mapped)) {
                assertEquals(999.0, values(copy)[999], "the copying path takes read-only mappings");
            }
        }
    }

    @Test
    void fortranOrderFileSharesWithColumnMajorStrides() throws Exception {
        try (NDArray mapped = NpyFile.mmap(dir.resolve("f.npy"), MmapMode.COPY_ON_WRITE); Tensor tensor = Bridge.fromArray(mapped)) {
            assertTrue(mapped.isFContiguous());
            assertArrayEquals(new long[] {3, 4}, tensor.shape());
            assertArrayEquals(new long[] {1, 3}, tensor.strides(), "what torch.from_numpy gives for an F-ordered array");
            assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, values(tensor));
            assertEquals(firstElementAddress(mapped), tensor.dataAddress());
        }
    }

    @Test
    void sharingABigMappingReadsNothing() throws Exception {
        long before = rssBytes();
        try (NDArray mapped = NpyFile.mmap(dir.resolve("big.npy"), MmapMode.COPY_ON_WRITE); Tensor tensor = Bridge.fromArray(mapped)) {
            long after = rssBytes();
            assertEquals(mapped.nbytes(), tensor.numel() * 8);
            assertEquals(firstElementAddress(mapped), tensor.dataAddress());
            assertTrue(after - before < (16L << 20), "mapping + sharing 64 MiB touched " + mib(after - before));
            try (Tensor one = tensor.slice(0, 1 << 20, (1 << 20) + 1, 1)) {
                one.mul_(3);   // touches one page only
            }
        }
    }
}

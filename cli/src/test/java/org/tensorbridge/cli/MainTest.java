package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.testkit.Python;

class MainTest {
    private record Run(int exit, String out) {
    }

    private static Run run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void doctorSaysTheLibraryWorksAndWhyThereIsNoCuda() throws Exception {
        Run doctor = run("doctor");
        assertEquals(0, doctor.exit(), doctor.out());
        assertTrue(doctor.out().contains("library works:         yes"), doctor.out());
        // The version the build recorded (libtensorbridge.properties) is the one libtorch reports when loaded.
        String torchVersion = org.tensorbridge.torch.Torch.buildInfo().getProperty("libtorch.version", "");
        assertEquals(Python.releaseOf(org.tensorbridge.torch.Torch.version()), torchVersion,
                "libtensorbridge.properties records the libtorch version: " + org.tensorbridge.torch.Torch.buildInfo());
        assertTrue(doctor.out().contains(torchVersion), "doctor names libtorch " + torchVersion + ":\n" + doctor.out());
        if (doctor.out().contains("CUDA available:        no")) {
            assertTrue(doctor.out().contains("why no CUDA:"), doctor.out());
            assertEquals(3, run("doctor", "--require-cuda").exit());
        }
    }

    @Test
    void demoTrainsTheClassifier() throws Exception {
        Run demo = run("demo", "60");
        assertEquals(0, demo.exit(), demo.out());
        assertTrue(demo.out().contains("final loss"), demo.out());
    }

    @Test
    void inspectShowsWhatNumpyWrote(@TempDir Path dir) throws Exception {
        Path npy = dir.resolve("a.npy");
        Path bad = dir.resolve("bad.npy");
        String expected = Python.debian().run("""
                import sys, numpy as np
                a = np.arange(12, dtype=np.int16).reshape(3, 4).T
                np.save(sys.argv[1], a)
                print(a.dtype, list(a.shape))
                """, npy.toString()).trim();
        Files.write(bad, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 'x'});
        Run inspect = run("inspect", npy.toString());
        assertEquals(0, inspect.exit(), inspect.out());
        String[] dtypeAndShape = expected.split(" ", 2);
        assertTrue(inspect.out().contains("dtype " + dtypeAndShape[0]), inspect.out());
        assertTrue(inspect.out().contains(dtypeAndShape[1].replace(" ", "").replace(",", ", ")), inspect.out());
        Run malformed = run("inspect", bad.toString());
        assertEquals(1, malformed.exit());
        assertTrue(malformed.out().contains("malformed"), malformed.out());
    }

    @Test
    void unknownCommandsPrintTheUsage() throws Exception {
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.out().contains("usage: tensorbridge"), unknown.out());
    }
}

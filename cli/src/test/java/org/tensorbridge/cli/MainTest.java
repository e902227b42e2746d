package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.LeakCheck;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Tensor;

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
    void theDemoTrainsOnFashionMnistAndPythonReadsItsCheckpoint(@TempDir Path dir) throws Exception {
        Run demo = run("demo", "--epochs", "1", "--max-steps", "150", "--out", dir.toString());
        assertEquals(0, demo.exit(), demo.out());
        java.util.regex.Matcher reported = java.util.regex.Pattern.compile("test accuracy (\\d+\\.\\d+)% after")
                .matcher(demo.out());
        assertTrue(reported.find(), demo.out());
        double ours = Double.parseDouble(reported.group(1));
        assertTrue(ours > 70, "150 steps already learn something: " + ours);
        // Python loads the checkpoint with weights_only=True and measures the same model on the same test set.
        String python = Python.torchOrFail(org.tensorbridge.torch.Torch.version()).run("""
                import sys, gzip, numpy as np, torch
                state = torch.load(sys.argv[1], weights_only=True)
                def idx(name, offset):
                    with gzip.open(sys.argv[2] + '/' + name, 'rb') as f:
                        return np.frombuffer(f.read(), np.uint8, offset=offset)
                x = torch.from_numpy(((idx('t10k-images-idx3-ubyte.gz', 16).reshape(-1, 784).astype(np.float32) / 255
                                      - 0.2860) / 0.3530).astype(np.float32))
                y = torch.from_numpy(idx('t10k-labels-idx1-ubyte.gz', 8).astype(np.int64))
                model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                                            torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
                model.load_state_dict(state)
                model.eval()
                with torch.no_grad():
                    print('%.2f' % (100.0 * (model(x).argmax(1) == y).float().mean().item()))
                """, dir.resolve("fashion_mlp.pt").toString(), DemoCommand.DATA.toString()).trim();
        assertEquals(ours, Double.parseDouble(python), 0.011, "PyTorch measures the same accuracy from our checkpoint");
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
    void demoExplainsItsArguments() throws Exception {
        Run help = run("demo", "--help");
        assertEquals(0, help.exit(), help.out());
        assertTrue(help.out().contains("Usage: tensorbridge demo [-hV]") && help.out().contains("--epochs=N"), help.out());
        Run bad = run("demo", "--epochs", "many");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.out().contains("Invalid value for option '--epochs': 'many' is not an int")
                && bad.out().contains("Usage:"), bad.out());
    }

    @Test
    void theDemoLeavesNoTensorOpen() throws Exception {
        LeakCheck.collectGarbage();
        long before = Tensor.unclosedCount();
        Run demo = run("demo", "--epochs", "1", "--max-steps", "200", "--out",
                Files.createTempDirectory("tb-demo").toString());
        assertEquals(0, demo.exit(), demo.out());
        LeakCheck.collectGarbage();
        assertEquals(before, Tensor.unclosedCount(), "every step's temporaries were closed by its scope");
        LeakCheck.assertNoLeaks();
    }

    @Test
    void inspectReadsOnlyTheHeadersOfAnNpz(@TempDir Path dir) throws Exception {
        // A deflated entry whose data is corrupt past its header: reading it fails, inspecting it must not.
        Path npz = dir.resolve("big.npz");
        Python.debian().run("""
                import sys, zipfile, numpy as np
                np.savez_compressed(sys.argv[1], images=np.zeros((2000, 784), dtype=np.float32))
                with zipfile.ZipFile(sys.argv[1]) as z:
                    info = z.infolist()[0]
                with open(sys.argv[1], 'r+b') as f:
                    f.seek(info.header_offset + 26)
                    start = info.header_offset + 30 + int.from_bytes(f.read(2), 'little') + int.from_bytes(f.read(2), 'little')
                    f.seek(start + info.compress_size - 40)
                    f.write(bytes([255]) * 16)
                """, npz.toString());
        Run inspect = run("inspect", npz.toString());
        assertEquals(0, inspect.exit(), inspect.out());
        assertTrue(inspect.out().contains("images ") && inspect.out().contains("dtype float32")
                && inspect.out().contains("[2000, 784]"), inspect.out());
        try (var archive = org.tensorbridge.ndarray.io.NpzFile.open(npz)) {
            assertThrows(org.tensorbridge.ndarray.io.ArrayFileFormatException.class, () -> archive.get("images"));
        }
    }

    @Test
    void unknownCommandsPrintTheUsage() throws Exception {
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.out().contains("Usage: tensorbridge"), unknown.out());
    }
}

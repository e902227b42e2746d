package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Torch;

/** inspect on files Python wrote: one line per array with NumPy's dtype names, whatever the format. */
class InspectTest {
    @Test
    void npzAndSafetensorsWrittenByPython(@TempDir Path dir) {
        Path npz = dir.resolve("arrays.npz");
        Path safetensors = dir.resolve("weights.safetensors");
        // The safetensors file is written by hand from its specification (8-byte header length, JSON, data).
        Python.debian().run("""
                import sys, json, struct, numpy as np
                np.savez(sys.argv[1], images=np.zeros((3, 28, 28), np.uint8), labels=np.arange(3, dtype=np.int64))
                w = np.ones((4, 2), np.float32); b = np.zeros(4, np.float16)
                header = {"__metadata__": {"format": "pt"},
                          "w": {"dtype": "F32", "shape": [4, 2], "data_offsets": [0, 32]},
                          "b": {"dtype": "F16", "shape": [4], "data_offsets": [32, 40]}}
                h = json.dumps(header).encode(); h += b' ' * (-len(h) % 8)
                with open(sys.argv[2], 'wb') as f:
                    f.write(struct.pack('<Q', len(h))); f.write(h); f.write(w.tobytes()); f.write(b.tobytes())
                """, npz.toString(), safetensors.toString());
        Cli inspect = Cli.run("inspect", npz.toString(), safetensors.toString());
        assertEquals(0, inspect.exit(), inspect.all());
        String out = inspect.out();
        assertTrue(out.contains("npz, 2 arrays"), out);
        assertTrue(out.matches("(?s).*images +dtype uint8 +shape \\[3, 28, 28\\].*"), out);
        assertTrue(out.matches("(?s).*labels +dtype int64 +shape \\[3\\].*"), out);
        assertTrue(out.contains("safetensors, 2 tensors") && out.contains("metadata format = pt"), out);
        assertTrue(out.matches("(?s).*w +dtype float32 +shape \\[4, 2\\] +bytes \\[0, 32\\) \\(F32\\).*"), out);
        assertTrue(out.matches("(?s).*b +dtype float16 +shape \\[4\\].*"), out);
    }

    @Test
    void aTorchSaveCheckpointFromPythonShowsItsTreeWithoutReadingData(@TempDir Path dir) throws Exception {
        Path pt = dir.resolve("checkpoint.pt");
        Python.torchOrFail(Torch.version()).run("""
                import sys, torch
                model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
                torch.save({"model": model.state_dict(), "epoch": 3, "half": torch.zeros(5, dtype=torch.bfloat16),
                            "view": torch.arange(10)[2:6]}, sys.argv[1])
                """, pt.toString());
        Cli inspect = Cli.run("inspect", pt.toString());
        assertEquals(0, inspect.exit(), inspect.all());
        String out = inspect.out();
        assertTrue(out.contains("torch.save checkpoint"), out);
        assertTrue(out.matches("(?s).*model\\.0\\.weight +dtype float32 +shape \\[4, 8\\].*"), out);
        assertTrue(out.matches("(?s).*model\\.2\\.bias +dtype float32 +shape \\[2\\].*"), out);
        assertTrue(out.matches("(?s).*epoch += 3\\n.*"), out);
        assertTrue(out.matches("(?s).*half +dtype bfloat16 +shape \\[5\\].*"), out);
        assertTrue(out.matches("(?s).*view +dtype int64 +shape \\[4\\].*"), out);

        // Headers only: a checkpoint whose storage records are cut off still inspects (loading it fails).
        Path truncated = dir.resolve("no-data.pt");
        Python.debian().run("""
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], 'w') as dst:
                    for info in src.infolist():
                        if '/data/' not in info.filename:
                            dst.writestr(info, src.read(info))
                """, pt.toString(), truncated.toString());
        Cli headers = Cli.run("inspect", truncated.toString());
        assertEquals(0, headers.exit(), headers.all());
        assertTrue(headers.out().matches("(?s).*model\\.0\\.weight +dtype float32 +shape \\[4, 8\\].*"), headers.out());
        Cli load = Cli.run("convert", truncated.toString(), dir.resolve("x.npz").toString());
        assertEquals(1, load.exit(), load.all());
        assertTrue(load.err().contains("missing"), load.all());
    }

    @Test
    void missingAndMalformedFilesExitWith1(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.pt");
        Files.write(bad, new byte[] {'P', 'K', 3, 4, 0, 0, 0});
        Cli inspect = Cli.run("inspect", bad.toString(), dir.resolve("absent.npy").toString());
        assertEquals(1, inspect.exit(), inspect.all());
        assertTrue(inspect.out().contains("malformed: ") && inspect.out().contains("not a torch.save checkpoint"),
                inspect.out());
        assertTrue(inspect.out().contains("absent.npy:\n  no such file"), inspect.out());
    }
}

package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Torch;

/** convert's round trips, checked by the real readers: numpy.load and torch.load(weights_only=True). */
class ConvertTest {
    private static final String MAKE_ARRAYS = """
            import sys, numpy as np
            rng = np.random.default_rng(0)
            np.savez(sys.argv[1], weight=rng.standard_normal((3, 4)).astype(np.float32),
                     index=np.arange(5, dtype=np.int64) - 2, half=rng.standard_normal((2, 2)).astype(np.float16),
                     pixels=np.arange(7, dtype=np.uint8), wide=rng.standard_normal(3), flags=np.array([True, False]),
                     transposed=np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
            """;

    @Test
    void npzToTorchSaveToSafetensorsAndBackIsExact(@TempDir Path dir) {
        Path npz = dir.resolve("a.npz"), pt = dir.resolve("a.pt"), st = dir.resolve("a.safetensors"), back = dir.resolve("b.npz");
        Python.debian().run(MAKE_ARRAYS, npz.toString());

        Cli toTorch = Cli.run("convert", npz.toString(), pt.toString());
        assertEquals(0, toTorch.exit(), toTorch.all());
        assertTrue(toTorch.out().contains("(npz) -> ") && toTorch.out().contains("(torch.save): 7 tensors"), toTorch.out());
        String torchCheck = Python.torchOrFail(Torch.version()).run("""
                import sys, numpy as np, torch
                state = torch.load(sys.argv[1], weights_only=True)
                ref = np.load(sys.argv[2])
                assert list(state.keys()) == list(ref.keys()), (list(state.keys()), list(ref.keys()))
                for k in ref.keys():
                    t = state[k]
                    assert t.numpy().dtype == ref[k].dtype, (k, t.dtype, ref[k].dtype)
                    assert np.array_equal(t.numpy(), ref[k]), k
                print("torch.load ok", len(state))
                """, pt.toString(), npz.toString());
        assertTrue(torchCheck.contains("torch.load ok 7"), torchCheck);

        Cli toSafetensors = Cli.run("convert", pt.toString(), st.toString());
        assertEquals(0, toSafetensors.exit(), toSafetensors.all());
        Cli toNpz = Cli.run("convert", st.toString(), back.toString());
        assertEquals(0, toNpz.exit(), toNpz.all());
        String numpyCheck = Python.debian().run("""
                import sys, numpy as np
                a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
                assert sorted(a.keys()) == sorted(b.keys())  # safetensors orders entries by dtype and name
                for k in a.keys():
                    assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k
                print("numpy.load ok", len(b.keys()))
                """, npz.toString(), back.toString());
        assertTrue(numpyCheck.contains("numpy.load ok 7"), numpyCheck);
    }

    @Test
    void pythonsTorchSaveWithBfloat16ToSafetensorsAndBack(@TempDir Path dir) {
        Python torch = Python.torchOrFail(Torch.version());
        Path pt = dir.resolve("model.pt"), st = dir.resolve("model.safetensors"), back = dir.resolve("back.pth");
        torch.run("""
                import sys, torch
                torch.manual_seed(0)
                model = torch.nn.Sequential(torch.nn.Linear(6, 3), torch.nn.BatchNorm1d(3))
                state = model.state_dict()
                state["bf"] = torch.randn(4, 2).to(torch.bfloat16)
                torch.save({"model": state, "epoch": 2}, sys.argv[1])
                """, pt.toString());
        Cli toSafetensors = Cli.run("convert", pt.toString(), st.toString());
        assertEquals(0, toSafetensors.exit(), toSafetensors.all());
        Cli toTorch = Cli.run("convert", st.toString(), "--to", "torch", back.toString());
        assertEquals(0, toTorch.exit(), toTorch.all());
        String check = torch.run("""
                import sys, torch
                a = torch.load(sys.argv[1], weights_only=True)["model"]
                b = torch.load(sys.argv[2], weights_only=True)
                assert sorted(a.keys()) == sorted(b.keys()), (list(a.keys()), list(b.keys()))
                for k in a:
                    assert a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]), k
                print("same", len(b), b["1.num_batches_tracked"].dtype, b["bf"].dtype)
                """, pt.toString(), back.toString());
        assertTrue(check.contains("same 8 torch.int64 torch.bfloat16"), check);

        Cli toNpz = Cli.run("convert", st.toString(), dir.resolve("x.npz").toString());
        assertEquals(2, toNpz.exit(), toNpz.all());
        assertTrue(toNpz.err().contains("'bf' is bfloat16, which NumPy has no dtype for"), toNpz.all());
        assertTrue(Files.notExists(dir.resolve("x.npz")), "nothing half-written");
    }

    @Test
    void anExistingOutputNeedsForceAndUnknownExtensionsAreUsageErrors(@TempDir Path dir) throws Exception {
        Path npz = dir.resolve("a.npz"), out = dir.resolve("b.safetensors");
        Python.debian().run(MAKE_ARRAYS, npz.toString());
        Files.writeString(out, "keep me");
        Cli refused = Cli.run("convert", npz.toString(), out.toString());
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.err().contains("pass --force"), refused.all());
        assertEquals("keep me", Files.readString(out));
        assertEquals(0, Cli.run("convert", "--force", npz.toString(), out.toString()).exit());
        Cli unknown = Cli.run("convert", npz.toString(), dir.resolve("c.xyz").toString());
        assertEquals(2, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("not a known format"), unknown.all());
        Cli missing = Cli.run("convert", dir.resolve("none.npz").toString(), dir.resolve("c.pt").toString());
        assertEquals(3, missing.exit(), missing.all());
    }
}

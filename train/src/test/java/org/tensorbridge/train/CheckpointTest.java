package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.amp.GradScaler;
import org.tensorbridge.checkpoint.CheckpointException;
import org.tensorbridge.checkpoint.Checkpoints;
import org.tensorbridge.checkpoint.UnsafeCheckpointException;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.BatchNorm;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;

/**
 * Checkpoints both ways with Python: ours read by torch.load(weights_only=True) on Debian's torch 1.13 and on
 * torch 2.x when the machine has it; Python's torch.save read by us. Corrupt and truncated files are clear
 * errors, an interrupted write leaves the old file, a pickle naming os.system is refused and nothing runs.
 */
@ExtendWith(ScopePerTest.class)
class CheckpointTest {
    @TempDir
    Path dir;

    static Sequential model() {
        return new Sequential(new Linear(6, 8), BatchNorm.batchNorm1d(8), Activation.relu(), new Linear(8, 3));
    }

    /** Trains a few steps so that the optimizer, scheduler and BatchNorm have state. */
    static Map<String, Object> fullCheckpoint(Sequential m, Adam opt, LRScheduler sched, GradScaler scaler) {
        Tensor x = Tensor.randn(10, 6);
        Tensor y = Tensor.randint(0, 3, TensorOptions.of(DType.INT64), 10);
        for (int i = 0; i < 3; i++) {
            try (Scope s = Scope.open()) {
                opt.zeroGrad();
                scaler.scale(F.crossEntropy(m.forward(x), y)).backward();
                scaler.step(opt);
                scaler.update();
                sched.step();
            }
        }
        Map<String, Object> ckpt = new LinkedHashMap<>();
        ckpt.put("model", m.stateDict());
        ckpt.put("optimizer", opt.stateDict());
        ckpt.put("scheduler", sched.stateDict());
        ckpt.put("scaler", scaler.stateDict());
        ckpt.put("epoch", 3L);
        return ckpt;
    }

    static final String READ_OURS = """
            import sys, torch, collections
            import torch.nn as nn
            # torch 1.13's weights_only unpickler has no BINFLOAT: it cannot read any float (Python's own
            # optimizer state dicts included), so on 1.13 the full checkpoint loads with weights_only=False
            # and the model state dict (tensors and ints only) with weights_only=True.
            new = int(torch.__version__.split('.')[0]) >= 2
            ck = torch.load(sys.argv[1], weights_only=new)
            sd = torch.load(sys.argv[2], weights_only=True)
            print('modelonly', ' '.join(sd.keys()), type(sd).__name__)
            m = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
            m.load_state_dict(ck['model'], strict=True)
            opt = torch.optim.Adam(m.parameters(), lr=0.01)
            opt.load_state_dict(ck['optimizer'])
            sched = torch.optim.lr_scheduler.StepLR(opt, 2, 0.5)
            sched.load_state_dict(ck['scheduler'])
            print('type', type(ck['model']).__name__)
            print('epoch', ck['epoch'])
            print('keys', ' '.join(ck['model'].keys()))
            print('nbt', int(ck['model']['1.num_batches_tracked']), ck['model']['1.num_batches_tracked'].dtype)
            print('sum', ' '.join(repr(float(v.double().sum())) for v in ck['model'].values()))
            st = opt.state_dict()['state']
            print('step', float(st[0]['step']))
            print('expavg', repr(float(st[0]['exp_avg'].double().sum())))
            print('lr', repr(opt.param_groups[0]['lr']), opt.param_groups[0]['betas'])
            print('sched', sched.last_epoch, repr(sched.get_last_lr()[0]))
            print('scaler', ck['scaler']['scale'], ck['scaler']['_growth_tracker'])
            """;

    @Test
    void pythonReadsOurCheckpointWithWeightsOnlyOnTorch113And2x() throws Exception {
        Torch.manualSeed(1);
        Path file = dir.resolve("ckpt.pt");
        try (Sequential m = model(); Adam opt = Adam.adam(m.parameters(), 0.01); GradScaler scaler = new GradScaler()) {
            LRScheduler sched = LRScheduler.stepLR(opt, 2, 0.5);
            Map<String, Object> ckpt = fullCheckpoint(m, opt, sched, scaler);
            Checkpoints.save(file, ckpt);
            Checkpoints.save(dir.resolve("model.pt"), ckpt.get("model"));
            List<String> pythons = new ArrayList<>(List.of(Python.debian().executable()));
            if (Files.isExecutable(AmpParityTest.TORCH2)) {
                pythons.add(AmpParityTest.TORCH2.toString());
            }
            @SuppressWarnings("unchecked")
            Map<String, Tensor> model = (Map<String, Tensor>) ckpt.get("model");
            StringBuilder sums = new StringBuilder();
            for (Tensor t : model.values()) {
                sums.append(' ').append(Double.toString(t.to(DType.FLOAT64).sum().item()));
            }
            for (String python : pythons) {
                Map<String, String> lines = runLines(python, READ_OURS, file);
                assertEquals("OrderedDict", lines.get("type"), python);
                assertEquals(String.join(" ", model.keySet()) + " OrderedDict", lines.get("modelonly"));
                assertEquals("3", lines.get("epoch"));
                assertEquals(String.join(" ", model.keySet()), lines.get("keys"));
                assertEquals("3 torch.int64", lines.get("nbt"));
                assertArrayEquals(Python.parseDoubles(sums.toString()), Python.parseDoubles(lines.get("sum")), 0.0, python);
                assertEquals("3.0", lines.get("step"));
                assertEquals(((Tensor) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ckpt.get("optimizer")).get("state")).get(0))
                        .get("exp_avg")).to(DType.FLOAT64).sum().item(), Double.parseDouble(lines.get("expavg")), 0.0);
                assertEquals(opt.paramGroups().get(0).lr(), Double.parseDouble(lines.get("lr").split(" ")[0]), 0.0);
                assertEquals("3 " + sched.lastLr().get(0), lines.get("sched"));
                assertEquals("65536.0 3", lines.get("scaler"));
            }
        }
    }

    static Map<String, String> runLines(String python, String script, Path file) throws Exception {
        Path py = Files.createTempFile("tb-ckpt", ".py");
        try {
            Files.writeString(py, script);
            Process p = new ProcessBuilder(python, py.toString(), file.toString(),
                    file.resolveSibling("model.pt").toString()).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(python + " failed:\n" + err);
            }
            Map<String, String> lines = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    lines.put(line.substring(0, sp), line.substring(sp + 1));
                }
            }
            return lines;
        } finally {
            Files.deleteIfExists(py);
        }
    }

    @Test
    void weReadWhatPythonsTorchSaveWritesAndRestoreTheModel() throws Exception {
        List<String> pythons = new ArrayList<>(List.of(Python.debian().executable()));
        if (Files.isExecutable(AmpParityTest.TORCH2)) {
            pythons.add(AmpParityTest.TORCH2.toString());
        }
        for (String python : pythons) {
            Path file = dir.resolve("py-" + pythons.indexOf(python) + ".pt");
            Map<String, String> lines = runLines(python, """
                    import sys, torch
                    import torch.nn as nn
                    torch.manual_seed(0)
                    m = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
                    opt = torch.optim.AdamW(m.parameters(), lr=0.01)
                    x = torch.randn(10, 6)
                    m(x).sum().backward(); opt.step()
                    base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
                    extra = {'view': base.t(), 'same': base, 'half': torch.tensor([1.5, -2.0], dtype=torch.float16),
                             'bf16': torch.tensor([3.0], dtype=torch.bfloat16), 'flags': torch.tensor([True, False]),
                             'int': torch.tensor([1, -7], dtype=torch.int32), 'scalar': torch.tensor(2.5)}
                    torch.save({'model': m.state_dict(), 'optimizer': opt.state_dict(), 'extra': extra, 'n': 2**40,
                                'neg': -3, 'name': 'run', 'pair': (1, 2.5)}, sys.argv[1])
                    m.eval()
                    with torch.no_grad():
                        print('out', ' '.join(repr(float(v)) for v in m(x).reshape(-1)))
                    print('x', ' '.join(repr(float(v)) for v in x.reshape(-1)))
                    """, file);
            Object loaded = Checkpoints.load(file);
            Map<?, ?> ck = (Map<?, ?>) loaded;
            assertEquals(1L << 40, ck.get("n"));
            assertEquals(-3L, ck.get("neg"));
            assertEquals("run", ck.get("name"));
            assertEquals(List.of(1L, 2.5), ck.get("pair"));
            Map<?, ?> extra = (Map<?, ?>) ck.get("extra");
            Tensor view = (Tensor) extra.get("view");
            assertArrayEquals(new long[] {4, 3}, view.shape());
            assertArrayEquals(new long[] {1, 4}, view.strides());
            assertEquals(9.0, view.getDouble(1, 2));
            assertEquals(DType.FLOAT16, ((Tensor) extra.get("half")).dtype());
            assertArrayEquals(new double[] {1.5, -2.0}, ((Tensor) extra.get("half")).toDoubleArray());
            assertEquals(3.0, ((Tensor) extra.get("bf16")).item());
            assertArrayEquals(new boolean[] {true, false}, ((Tensor) extra.get("flags")).toBooleanArray());
            assertArrayEquals(new int[] {1, -7}, ((Tensor) extra.get("int")).toIntArray());
            assertEquals(0, ((Tensor) extra.get("scalar")).dim());
            // Views of one storage share it, as in PyTorch.
            ((Tensor) extra.get("same")).get(0, 0).fill_(100);
            assertEquals(100.0, view.getDouble(0, 0));
            try (Sequential m = model(); Adam opt = Adam.adamW(m.parameters(), 0.01)) {
                @SuppressWarnings("unchecked")
                Map<String, Tensor> state = (Map<String, Tensor>) ck.get("model");
                m.loadStateDict(state, true);
                @SuppressWarnings("unchecked")
                Map<String, Object> optState = (Map<String, Object>) ck.get("optimizer");
                opt.loadStateDict(optState);
                assertEquals(1.0, opt.state(m.parameters().get(0)).get("step"));
                m.eval();
                double[] x = Python.parseDoubles(lines.get("x"));
                float[] xf = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    xf[i] = (float) x[i];
                }
                PyRef.assertClose("restored model output (" + python + ")", Python.parseDoubles(lines.get("out")),
                        m.forward(Tensor.of(xf, 10, 6)).toDoubleArray(), 1e-6);
            }
        }
    }

    @Test
    void roundTripInJavaKeepsEverything() throws Exception {
        Path file = dir.resolve("rt.pt");
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("t", Tensor.randn(3, 2).t());
        o.put("l", Tensor.of(new long[] {5, -1}, 2));
        o.put("nested", Map.of("k", List.of(1L, "two", 3.0, true)));
        o.put("none", null);
        o.put("betas", new double[] {0.9, 0.999});
        Checkpoints.save(file, o);
        Map<?, ?> back = (Map<?, ?>) Checkpoints.load(file);
        assertTrue(((Tensor) back.get("t")).equal((Tensor) o.get("t")));
        assertTrue(((Tensor) back.get("l")).equal((Tensor) o.get("l")));
        assertEquals(o.get("nested"), back.get("nested"));
        assertTrue(back.containsKey("none"));
        assertEquals(List.of(0.9, 0.999), back.get("betas"));
    }

    @Test
    void corruptAndTruncatedCheckpointsAreClearErrors() throws Exception {
        Path good = dir.resolve("good.pt");
        Checkpoints.save(good, Map.of("w", Tensor.randn(64, 64)));
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.pt");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(truncated));
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
        Path garbage = dir.resolve("garbage.pt");
        Files.write(garbage, "not a checkpoint at all".getBytes());
        e = assertThrows(CheckpointException.class, () -> Checkpoints.load(garbage));
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
        // A flipped byte inside a storage record: the zip's CRC catches it.
        byte[] flipped = bytes.clone();
        int at = indexOf(bytes, "archive/data/0".getBytes()) + 40;
        flipped[at] ^= 0x55;
        Path corrupt = dir.resolve("corrupt.pt");
        Files.write(corrupt, flipped);
        e = assertThrows(CheckpointException.class, () -> Checkpoints.load(corrupt));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void anInterruptedWriteLeavesTheOldFile() throws Exception {
        Path file = dir.resolve("model.pt");
        Checkpoints.save(file, Map.of("w", Tensor.randn(8)));
        byte[] before = Files.readAllBytes(file);
        Tensor closed = Tensor.randn(1000);
        closed.close();
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("a", Tensor.randn(100000));
        bad.put("b", closed);  // fails while writing, after "a" was written
        assertThrows(IllegalStateException.class, () -> Checkpoints.save(file, bad));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        Checkpoints.saveSafetensors(dir.resolve("m.safetensors"), Map.of("w", Tensor.randn(4)));
        byte[] st = Files.readAllBytes(dir.resolve("m.safetensors"));
        assertThrows(IllegalStateException.class, () -> Checkpoints.saveSafetensors(dir.resolve("m.safetensors"), Map.of("w", closed)));
        assertArrayEquals(st, Files.readAllBytes(dir.resolve("m.safetensors")));
    }

    @Test
    void aPickleNamingOsSystemIsRefusedAndNothingRuns() throws Exception {
        Path file = dir.resolve("evil.pt");
        Path marker = dir.resolve("pwned");
        runLines(Python.debian().executable(), """
                import sys, os, torch
                class Evil:
                    def __reduce__(self):
                        return (os.system, ('touch %s',))
                torch.save({'w': torch.zeros(2), 'x': Evil()}, sys.argv[1])
                """.formatted(marker), file);
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class, () -> Checkpoints.load(file));
        assertEquals("posix.system", e.global());
        assertTrue(e.getMessage().contains("posix.system"), e.getMessage());
        assertFalse(Files.exists(marker), "nothing ran");
    }

    @Test
    void safetensorsRoundTripWithModelStateDict() throws Exception {
        Path file = dir.resolve("model.safetensors");
        try (Sequential m = model(); Sequential m2 = model()) {
            Checkpoints.saveSafetensors(file, m.stateDict(), Map.of("format", "pt"));
            m2.loadStateDict(Checkpoints.loadSafetensors(file), true);
            Map<String, Tensor> a = m.stateDict(), b = m2.stateDict();
            for (String k : a.keySet()) {
                assertTrue(a.get(k).equal(b.get(k)), k);
            }
            assertEquals(DType.INT64, b.get("1.num_batches_tracked").dtype());
        }
    }

    @Test
    void loadStateDictNamesMissingUnexpectedAndMismatchedKeys() {
        try (Sequential m = model()) {
            Map<String, Tensor> state = m.stateDict();
            state.remove("0.bias");
            state.put("9.weight", Tensor.zeros(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(state, true));
            assertTrue(e.getMessage().contains("Missing key(s): [0.bias]") && e.getMessage().contains("9.weight"), e.getMessage());
            state.put("0.weight", Tensor.zeros(2, 2));
            e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(state, false));
            assertTrue(e.getMessage().contains("size mismatch for 0.weight: copying a param with shape [2, 2]"), e.getMessage());
            state.put("0.weight", Tensor.zeros(8, 6));
            var result = m.loadStateDict(state, false);
            assertEquals(List.of("0.bias"), result.missingKeys());
            assertEquals(List.of("9.weight"), result.unexpectedKeys());
            assertEquals(0.0, m.namedParameters().get("0.weight").abs().sum().item());
        }
    }
}

package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.amp.GradScaler;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.optim.ClipGrad;
import org.tensorbridge.optim.SGD;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.Autocast;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * GradScaler against PyTorch's (torch.amp.GradScaler('cpu'), which has CPU kernels from 2.3 on: run with the
 * torch 2.x venv when the machine has it) over a run with injected inf and NaN; autocast on the CPU against
 * Debian's torch.
 */
@ExtendWith(ScopePerTest.class)
class AmpParityTest {
    static final Path TORCH2 = Path.of(System.getProperty("user.home"), ".cache/tensorbridge/venv-torch-2.13.0+cpu/bin/python");
    static final Set<Integer> BAD_STEPS = Set.of(4, 5, 11, 20, 21);

    @Test
    void gradScalerMatchesPyTorchsScaleSkippedStepsAndParameters() throws Exception {
        assumeTrue(Files.isExecutable(TORCH2), "no torch 2.x venv at " + TORCH2 + " (torch 1.13's GradScaler has no CPU path)");
        Torch.manualSeed(7);
        Tensor x = Tensor.randn(8, 4), y = Tensor.randn(8, 3);
        PyRef py = new PyRef().define("x", x).define("y", y);
        double[] scales = new double[30], stepped = new double[30], trackers = new double[30];
        try (Linear lin = new Linear(4, 3); SGD opt = new SGD(lin.parameters(), 0.05, 0.9, 0, 0, false);
             GradScaler scaler = new GradScaler(1024.0, 2.0, 0.5, 3, true)) {
            py.exec("lin = nn.Linear(4, 3)\nsd = collections.OrderedDict()");
            for (Map.Entry<String, Tensor> e : lin.stateDict().entrySet()) {
                py.exec("sd['" + e.getKey() + "'] = " + PyRef.literal(e.getValue()));
            }
            for (int step = 0; step < 30; step++) {
                try (Scope perStep = Scope.open()) {
                    opt.zeroGrad();
                    Tensor loss = F.mseLoss(lin.forward(x), y);
                    if (BAD_STEPS.contains(step)) {
                        loss = loss.mul(step % 2 == 0 ? Double.POSITIVE_INFINITY : Double.NaN);
                    }
                    scaler.scale(loss).backward();
                    if (step % 7 == 6) {
                        scaler.unscale_(opt);
                        ClipGrad.clipGradNorm(lin.parameters(), 0.1);
                    }
                    stepped[step] = scaler.step(opt) ? 1 : 0;
                    scaler.update();
                    scales[step] = scaler.getScale();
                    trackers[step] = scaler.growthTracker();
                }
            }
            py.exec("""
                    lin.load_state_dict(sd)
                    opt = torch.optim.SGD(lin.parameters(), lr=0.05, momentum=0.9, foreach=False)
                    scaler = torch.amp.GradScaler('cpu', init_scale=1024.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=3)
                    scales, stepped, trackers = [], [], []
                    for step in range(30):
                        opt.zero_grad()
                        loss = F.mse_loss(lin(x), y)
                        if step in (%s):
                            loss = loss * (inf if step %% 2 == 0 else nan)
                        scaler.scale(loss).backward()
                        if step %% 7 == 6:
                            scaler.unscale_(opt)
                            torch.nn.utils.clip_grad_norm_(lin.parameters(), 0.1)
                        scaler.step(opt)
                        found = sum(v.item() for v in scaler._per_optimizer_states[id(opt)]['found_inf_per_device'].values())
                        stepped.append(0.0 if found else 1.0)
                        scaler.update()
                        scales.append(scaler.get_scale())
                        trackers.append(scaler._growth_tracker.item())
                    out('scales', scales); out('stepped', stepped); out('trackers', trackers)
                    out('weight', lin.weight); out('bias', lin.bias)
                    """.formatted(String.join(", ", BAD_STEPS.stream().map(String::valueOf).toList())));
            Map<String, double[]> expected = PyRef.parse(org.tensorbridge.testkit.Python.debian().executable().isEmpty() ? ""
                    : runTorch2(py.script()));
            PyRef.assertClose("scale", expected.get("scales"), scales, 0);
            PyRef.assertClose("stepped", expected.get("stepped"), stepped, 0);
            PyRef.assertClose("growth tracker", expected.get("trackers"), trackers, 0);
            PyRef.assertClose("weight", expected.get("weight"), lin.weight().toDoubleArray(), 1e-6);
            PyRef.assertClose("bias", expected.get("bias"), lin.bias().toDoubleArray(), 1e-6);
            assertEquals(30 - BAD_STEPS.size(), (int) java.util.Arrays.stream(stepped).sum());
            System.out.println("GradScaler: scales " + java.util.Arrays.toString(scales));
        }
    }

    static String runTorch2(String script) throws Exception {
        Path file = Files.createTempFile("tb-amp", ".py");
        try {
            Files.writeString(file, script);
            Process p = new ProcessBuilder(TORCH2.toString(), file.toString()).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError("torch 2.x failed:\n" + err);
            }
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void gradScalerDefaultsAndStateDictArePyTorchs() {
        try (GradScaler scaler = new GradScaler()) {
            assertEquals(65536.0, scaler.getScale());
            Map<String, Object> state = scaler.stateDict();
            assertEquals(List.of("scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"),
                    List.copyOf(state.keySet()));
            assertEquals(2.0, state.get("growth_factor"));
            assertEquals(0.5, state.get("backoff_factor"));
            assertEquals(2000L, state.get("growth_interval"));
            assertThrows(IllegalStateException.class, scaler::update);
        }
    }

    @Test
    void autocastOnTheCpuGivesPyTorchsBfloat16Results() {
        Torch.manualSeed(9);
        try (Linear lin = new Linear(16, 8)) {
            Tensor x = Tensor.randn(4, 16);
            Tensor yAmp;
            Tensor yInner;
            try (Autocast amp = Autocast.enable(DeviceType.CPU, DType.BFLOAT16)) {
                yAmp = lin.forward(x);
                try (Autocast off = Autocast.disable(DeviceType.CPU)) {
                    yInner = lin.forward(x);
                }
            }
            assertEquals(DType.BFLOAT16, yAmp.dtype());
            assertEquals(DType.FLOAT32, yInner.dtype(), "a disabled region inside autocast computes in float32");
            assertFalse(Autocast.isEnabled(DeviceType.CPU));
            PyRef py = new PyRef().define("x", x).define("w", lin.weight()).define("b", lin.bias());
            py.exec("with torch.autocast('cpu', dtype=torch.bfloat16):\n    out('y', F.linear(x, w, b))");
            PyRef.assertClose("autocast linear", py.run().get("y"), yAmp.toDoubleArray(), 0);
            assertTrue(yInner.allclose(x.matmul(lin.weight().t()).add(lin.bias()), 1e-5, 1e-6));
        }
    }
}

package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.ScriptModule;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.Torch;

/** TorchScript modules scripted and traced by Debian's torch, loaded and run from Java in eval mode. */
@ExtendWith(ScopePerTest.class)
class ScriptModuleTest {
    @TempDir
    Path dir;

    @Test
    void scriptedAndTracedModulesGivePythonsOutputsInEvalMode() throws Exception {
        Torch.manualSeed(2);
        Tensor x = Tensor.randn(4, 6);
        PyRef py = new PyRef().define("x", x).exec("""
                class Net(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(6, 5)
                        self.drop = nn.Dropout(0.5)
                        self.bn = nn.BatchNorm1d(5)
                    def forward(self, x):
                        h = self.bn(self.drop(self.fc(x)))
                        if h.sum() > 0:
                            return torch.relu(h)
                        return torch.tanh(h)
                torch.manual_seed(0)
                net = Net()
                net.bn.running_mean.uniform_(); net.bn.running_var.uniform_(0.5, 2.0)
                net.eval()
                torch.jit.script(net).save('%s')
                torch.jit.trace(net, x).save('%s')
                with torch.no_grad():
                    out('y', net(x))
                """.formatted(dir.resolve("scripted.pt"), dir.resolve("traced.pt")));
        Map<String, double[]> expected = py.run();
        for (String name : new String[] {"scripted.pt", "traced.pt"}) {
            try (ScriptModule m = ScriptModule.loadTrusted(dir.resolve(name), Device.CPU)) {
                Tensor y = m.forward(x);
                PyRef.assertClose(name, expected.get("y"), y.toDoubleArray(), 1e-6);
                // eval mode: dropout off, so two runs agree
                assertTrue(y.equal(m.forward(x)));
            }
        }
    }

    @Test
    void aFileThatIsNotTorchScriptIsAClearError() throws Exception {
        Path bad = dir.resolve("bad.pt");
        Files.write(bad, new byte[] {1, 2, 3});
        TorchException e = assertThrows(TorchException.class, () -> ScriptModule.loadTrusted(bad));
        assertTrue(e.getMessage().contains("is not a TorchScript module"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ScriptModule.loadTrusted(dir.resolve("missing.pt")));
    }
}

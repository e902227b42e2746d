package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.LeakCheck;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/** train on real data: Fashion-MNIST for a few steps, an .npz of images with the CNN, a CSV. */
class TrainCommandTest {
    @Test
    void aFewStepsOnFashionMnistWriteCheckpointLogAndMetrics(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(".env"), "# settings for this directory\nTB_LR=0.001\nTB_EPOCHS=9\nTB_MAX_STEPS=$(echo 5)\n");
        LeakCheck.collectGarbage();
        long unclosed = Tensor.unclosedCount();
        Cli train = Cli.run(Map.of("TB_BATCH", "128", "TB_OUT", "runs/env-out"), dir,
                "train", "--epochs", "2", "--max-steps", "40", "--device", "cpu", "--out", "runs/flag-out");
        assertEquals(0, train.exit(), train.all());
        String out = train.out();
        // The configuration with the source of each value: flag > environment > .env > default.
        assertTrue(out.matches("(?s).*epochs +?= 2  \\(--epochs\\).*"), out);
        assertTrue(out.matches("(?s).*batch +?= 128  \\(environment TB_BATCH\\).*"), out);
        assertTrue(out.matches("(?s).*lr +?= 0\\.001  \\(" + java.util.regex.Pattern.quote(dir.resolve(".env").toString())
                + " TB_LR\\).*"), out);
        assertTrue(out.matches("(?s).*out +?= runs/flag-out  \\(--out\\).*"), out);
        assertTrue(out.matches("(?s).*model +?= mlp  \\(default\\).*"), out);
        // Progress as lines (a test is no terminal), then the epoch summary and the result.
        assertFalse(out.contains("\r"), out);
        assertTrue(out.contains("epoch 1/2 100% (40/40)"), out);
        assertTrue(out.contains("epoch 1/2 done: train loss "), out);
        assertFalse(out.contains("epoch 2/2"), "--max-steps 40 ends inside epoch 1 (469 steps of 128): " + out);
        assertTrue(out.contains("test accuracy ") && out.contains("after 40 steps"), out);

        Path run = dir.resolve("runs/flag-out");
        assertFalse(Files.exists(dir.resolve("runs/env-out")), "the flag beat TB_OUT");
        String log = Files.readString(run.resolve("tensorbridge.log"));
        assertTrue(log.contains("tensorbridge.run - configuration:") && log.contains("test accuracy"), log);
        // The monitor module's files: a row per step and per epoch, and the charts.
        List<String> epochs = Files.readAllLines(run.resolve("epochs.csv"));
        assertEquals("epoch,train_loss,accuracy", epochs.get(0));
        assertEquals(2, epochs.size(), epochs.toString());
        assertTrue(epochs.get(1).startsWith("1,"), epochs.toString());
        List<String> steps = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(1 + 40, steps.size(), "a row per step: " + steps.getFirst());
        assertTrue(steps.get(40).startsWith("40,"), steps.get(40));
        assertTrue(Files.size(run.resolve("loss.png")) > 0 && Files.size(run.resolve("accuracy.png")) > 0);
        java.awt.image.BufferedImage weights = javax.imageio.ImageIO.read(run.resolve("weights.png").toFile());
        assertEquals(org.tensorbridge.monitor.Charts.DEFAULT_WIDTH, weights.getWidth());
        assertEquals(org.tensorbridge.monitor.Charts.DEFAULT_HEIGHT, weights.getHeight());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < weights.getHeight(); y += 3) {
            for (int x = 0; x < weights.getWidth(); x += 3) {
                colours.add(weights.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 10, "a drawn histogram, not a blank image: " + colours.size() + " colours");

        String python = Python.torchOrFail(Torch.version()).run("""
                import sys, torch
                state = torch.load(sys.argv[1], weights_only=True)
                model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                                            torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
                model.load_state_dict(state)
                print("loaded", len(state))
                """, run.resolve("model.pt").toString());
        assertTrue(python.contains("loaded 6"), python);
        LeakCheck.collectGarbage();
        assertEquals(unclosed, Tensor.unclosedCount(), "the run closed every tensor");
        LeakCheck.assertNoLeaks();
    }

    @Test
    void theCnnOnAnNpzOfImagesLoadsIntoTheSamePytorchModel(@TempDir Path dir) {
        Path npz = dir.resolve("shapes.npz");
        // Two classes PyTorch's CNN tells apart at once: bright top half vs bright bottom half, 8x8 images.
        Python.debian().run("""
                import sys, numpy as np
                rng = np.random.default_rng(1)
                def make(n):
                    y = rng.integers(0, 2, n)
                    x = rng.random((n, 8, 8)).astype(np.float32) * 0.2
                    for i in range(n):
                        if y[i]: x[i, :4] += 1
                        else: x[i, 4:] += 1
                    return x, y.astype(np.int64)
                x, y = make(512); xt, yt = make(128)
                np.savez(sys.argv[1], x=x, y=y, x_test=xt, y_test=yt)
                """, npz.toString());
        Cli train = Cli.run(Map.of(), dir, "train", "--model", "cnn", "--dataset", npz.toString(), "--epochs", "3",
                "--batch", "32", "--lr", "0.01", "--device", "cpu", "--seed", "3");
        assertEquals(0, train.exit(), train.all());
        assertTrue(train.out().contains("CNN conv16-conv32-linear on [1, 8, 8] -> 2"), train.out());
        java.util.regex.Matcher accuracy = java.util.regex.Pattern.compile("test accuracy (\\d+\\.\\d+)%").matcher(train.out());
        assertTrue(accuracy.find(), train.out());
        assertTrue(Double.parseDouble(accuracy.group(1)) > 95, "an easy task: " + train.out());
        String python = Python.torchOrFail(Torch.version()).run("""
                import sys, numpy as np, torch
                nn = torch.nn
                model = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, 1, 1),
                                      nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 2 * 2, 2))
                model.load_state_dict(torch.load(sys.argv[1], weights_only=True))
                model.eval()
                d = np.load(sys.argv[2])
                with torch.no_grad():
                    pred = model(torch.from_numpy(d["x_test"][:, None])).argmax(1).numpy()
                print("%.2f" % (100.0 * (pred == d["y_test"]).mean()))
                """, dir.resolve("runs/train/model.pt").toString(), npz.toString()).trim();
        assertEquals(Double.parseDouble(accuracy.group(1)), Double.parseDouble(python), 0.01,
                "PyTorch measures the same accuracy with our checkpoint");
    }

    @Test
    void aCsvWithoutTestSplitReportsTrainingSetAccuracy(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        java.util.Random random = new java.util.Random(0);
        for (int i = 0; i < 200; i++) {
            double a = random.nextGaussian(), b = random.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(a + b > 0 ? 1 : 0).append('\n');
        }
        Files.writeString(dir.resolve("points.csv"), csv);
        Cli train = Cli.run(Map.of("TB_DATASET", "points.csv", "TB_METRICS_PORT", "0"), dir, "train", "--epochs", "5",
                "--batch", "20", "--lr", "0.01", "--device", "cpu", "--out", "csv-run");
        assertEquals(0, train.exit(), train.all());
        assertTrue(train.out().matches("(?s).*metrics: http://127\\.0\\.0\\.1:\\d+/metrics \\(Prometheus, during the run\\).*"),
                "port 0: any free port on loopback: " + train.out());
        assertTrue(train.out().contains("MLP 2-256-128-2") && train.out().contains("(no test split)"), train.out());
        assertTrue(train.out().contains("training-set accuracy"), train.out());
        assertEquals(6, Files.readAllLines(dir.resolve("csv-run/epochs.csv")).size());
    }
}

package org.tensorbridge.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.optim.SGD;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

class RunMetricsTest {
    private static final int STEPS_PER_EPOCH = 10;
    private static final int EPOCHS = 4;
    private static final int BATCH = 32;
    /** The scrape during the run happens after this many steps, while the trainer waits. */
    private static final int SCRAPE_AFTER = 20;
    private static final List<String> SERIES = List.of("tensorbridge_samples_per_second", "tensorbridge_loss",
            "tensorbridge_learning_rate", "tensorbridge_step_seconds_bucket", "tensorbridge_step_seconds_count",
            "tensorbridge_step_seconds_sum", "tensorbridge_loader_wait_seconds_count", "tensorbridge_steps_total",
            "tensorbridge_samples_total", "tensorbridge_epoch", "tensorbridge_accuracy",
            "tensorbridge_host_memory_bytes");

    @TempDir
    Path runDir;

    /** One step as the trainer reported it. */
    record Step(long step, double loss, double lr) {
    }

    /**
     * A 8-16-3 MLP learns argmax(x[:, :3]) on random data with SGD and a step schedule, reporting every step and
     * epoch; after {@link #SCRAPE_AFTER} steps it waits until {@code scraped} opens.
     */
    @SuppressWarnings("try")  // the scopes close what the steps create
    private static void train(RunMetrics metrics, CountDownLatch midway, CountDownLatch scraped, List<Step> reported)
            throws InterruptedException {
        Torch.manualSeed(1);
        try (Scope run = Scope.open();
             Sequential model = new Sequential(new Linear(8, 16), Activation.relu(), new Linear(16, 3));
             SGD optimizer = new SGD(model.parameters(), 0.5)) {
            LRScheduler schedule = LRScheduler.stepLR(optimizer, 2, 0.5);
            Tensor x = Tensor.randn(STEPS_PER_EPOCH * BATCH, 8);
            Tensor y = x.slice(1, 0, 3, 1).argmax(1, false);
            long step = 0;
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                double lossSum = 0;
                double correct = 0;
                for (int b = 0; b < STEPS_PER_EPOCH; b++) {
                    try (Scope perStep = Scope.open()) {
                        long t0 = System.nanoTime();
                        Tensor xb = x.slice(0, (long) b * BATCH, (long) (b + 1) * BATCH, 1);
                        Tensor yb = y.slice(0, (long) b * BATCH, (long) (b + 1) * BATCH, 1);
                        long t1 = System.nanoTime();
                        optimizer.zeroGrad();
                        Tensor logits = model.forward(xb);
                        Tensor loss = F.crossEntropy(logits, yb);
                        loss.backward();
                        optimizer.step();
                        double value = loss.item();
                        correct += logits.argmax(1, false).eq(yb).sum().item();
                        long t2 = System.nanoTime();
                        double lr = schedule.lastLr().get(0);
                        metrics.step(step, BATCH, value, lr, (t2 - t1) / 1e9, (t1 - t0) / 1e9);
                        reported.add(new Step(step, value, lr));
                        lossSum += value;
                    }
                    step++;
                    if (step == SCRAPE_AFTER) {
                        midway.countDown();
                        if (!scraped.await(120, TimeUnit.SECONDS)) {
                            throw new AssertionError("the test never scraped");
                        }
                    }
                }
                schedule.step();
                metrics.epoch(epoch, lossSum / STEPS_PER_EPOCH, correct / (STEPS_PER_EPOCH * BATCH));
            }
        }
    }

    @Test
    void prometheusScrapesEverySeriesOnLoopbackDuringATrainingRun() throws Exception {
        CountDownLatch midway = new CountDownLatch(1);
        CountDownLatch scraped = new CountDownLatch(1);
        List<Step> reported = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        URI uri;
        try (RunMetrics metrics = RunMetrics.start(runDir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            uri = metrics.endpoint().orElseThrow();
            assertEquals("127.0.0.1", uri.getHost());
            assertEquals("/metrics", uri.getPath());
            Thread trainer = Thread.ofPlatform().name("trainer").start(() -> {
                try {
                    train(metrics, midway, scraped, reported);
                } catch (Throwable t) {
                    failure.set(t);
                    midway.countDown();
                }
            });
            try {
                assertTrue(midway.await(120, TimeUnit.SECONDS), "the trainer never reached step " + SCRAPE_AFTER);
                if (failure.get() != null) {
                    throw new AssertionError("training failed", failure.get());
                }
                Scrape during = Scrape.of(uri);

                assertTrue(during.contentType().startsWith("text/plain"), during.contentType());
                for (String series : SERIES) {
                    assertTrue(during.hasSeries(series), series + " missing from " + during.samples().keySet());
                }
                assertEquals(Torch.builtWithCuda() && Torch.cudaAvailable(),
                        during.hasSeries("tensorbridge_gpu_memory_bytes"), "GPU memory is there exactly with CUDA");
                Step last = reported.get(SCRAPE_AFTER - 1);
                assertEquals(SCRAPE_AFTER, during.value("tensorbridge_steps_total"));
                assertEquals(SCRAPE_AFTER * BATCH, during.value("tensorbridge_samples_total"));
                assertEquals(SCRAPE_AFTER, during.value("tensorbridge_step_seconds_count"));
                assertEquals(last.loss(), during.value("tensorbridge_loss"), 1e-12);
                assertEquals(last.lr(), during.value("tensorbridge_learning_rate"), 1e-12);
                // Epoch 1's steps are done but the trainer waits before reporting it.
                assertEquals(0, during.value("tensorbridge_epoch"), "epoch 0 is the last reported");
                double accuracy = during.value("tensorbridge_accuracy");
                assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
                assertTrue(during.value("tensorbridge_samples_per_second") > 0);
                assertTrue(during.value("tensorbridge_host_memory_bytes{kind=\"rss\"}") > 50e6, "a JVM with libtorch");
                assertTrue(during.value("tensorbridge_host_memory_bytes{kind=\"jvm_heap_used\"}") > 0);
            } finally {
                scraped.countDown();
                trainer.join(TimeUnit.MINUTES.toMillis(2));
            }
            if (failure.get() != null) {
                throw new AssertionError("training failed", failure.get());
            }
            Scrape after = Scrape.of(uri);
            assertEquals(STEPS_PER_EPOCH * EPOCHS, after.value("tensorbridge_steps_total"));
            assertEquals(EPOCHS - 1, after.value("tensorbridge_epoch"));
        }
        assertThrows(ConnectException.class, () -> Scrape.of(uri), "close() stops the endpoint");

        // The run's files: a row per step and per epoch, and the charts.
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(MetricsFiles.STEPS_HEADER, rows.getFirst());
        assertEquals(STEPS_PER_EPOCH * EPOCHS + 1, rows.size());
        for (int i = 0; i < reported.size(); i++) {
            String[] f = rows.get(i + 1).split(",", -1);
            assertEquals(reported.get(i).step(), Long.parseLong(f[0]));
            assertEquals(reported.get(i).loss(), Double.parseDouble(f[3]));
            assertEquals(reported.get(i).lr(), Double.parseDouble(f[4]));
        }
        assertEquals(EPOCHS + 1, Files.readAllLines(runDir.resolve("epochs.csv")).size());
        BufferedImage loss = ImageIO.read(runDir.resolve(RunMetrics.LOSS_CHART).toFile());
        assertEquals(Charts.DEFAULT_WIDTH, loss.getWidth());
        assertEquals(Charts.DEFAULT_HEIGHT, loss.getHeight());
        assertTrue(Pixels.distinctColors(loss) >= 8, "not blank");
        assertTrue(Pixels.count(loss, Charts.seriesColor(0)) >= 300, "the per-step loss line is drawn");
        assertTrue(Pixels.count(loss, Charts.seriesColor(1)) >= 100, "the per-epoch loss line is drawn");
        BufferedImage accuracy = ImageIO.read(runDir.resolve(RunMetrics.ACCURACY_CHART).toFile());
        assertEquals(Charts.DEFAULT_WIDTH, accuracy.getWidth());
        assertTrue(Pixels.count(accuracy, Charts.seriesColor(0)) >= 100, "the accuracy line is drawn");
    }

    @Test
    void theEndpointListensOnExactlyTheAddressAskedFor() throws Exception {
        Optional<InetAddress> otherAddress = nonLoopbackAddress();
        try (RunMetrics loopback = RunMetrics.start(runDir.resolve("a"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = loopback.boundAddress().orElseThrow().getPort();
            assertTrue(port > 0);
            assertTrue(loopback.boundAddress().orElseThrow().getAddress().isLoopbackAddress());
            List<String> kernel = Listening.addresses(port);
            assertFalse(kernel.isEmpty(), "the kernel lists the listening socket");
            assertTrue(Listening.LOOPBACK.containsAll(kernel), "bound to loopback only: " + kernel);
            if (otherAddress.isPresent()) {
                assertThrows(ConnectException.class, () -> new Socket(otherAddress.get(), port).close(),
                        "not reachable on " + otherAddress.get());
            }
            // The port is taken: a second run on it is refused with the fix, before it replaces any file.
            Path earlier = Files.createDirectories(runDir.resolve("b"));
            Files.writeString(earlier.resolve("metrics.csv"), "an earlier run's rows");
            BindException e = assertThrows(BindException.class, () -> RunMetrics.start(earlier,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("choose another port"),
                    e.getMessage());
            assertEquals("an earlier run's rows", Files.readString(earlier.resolve("metrics.csv")));
        }
        try (RunMetrics everywhere = RunMetrics.start(runDir.resolve("c"), new InetSocketAddress(0))) {
            int port = everywhere.boundAddress().orElseThrow().getPort();
            assertTrue(Listening.WILDCARD.containsAll(Listening.addresses(port)), "bound to every interface");
            assertEquals("127.0.0.1", everywhere.endpoint().orElseThrow().getHost(), "scraped locally via loopback");
            assertTrue(Scrape.of(everywhere.endpoint().orElseThrow()).hasSeries("tensorbridge_loss"));
            if (otherAddress.isPresent()) {
                new Socket(otherAddress.get(), port).close();  // reachable from outside
            }
        }
        try (RunMetrics none = RunMetrics.start(runDir.resolve("d"), null)) {
            assertTrue(none.endpoint().isEmpty());
            assertTrue(none.boundAddress().isEmpty());
        }
    }

    @Test
    void aForgottenEndpointDoesNotKeepTheJvmAlive() throws Exception {
        String javaBinary = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(javaBinary, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ForgottenRun.class.getName(), runDir.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = child.waitFor(2, TimeUnit.MINUTES);
        if (!exited) {
            child.destroyForcibly();
        }
        assertTrue(exited, "the JVM stayed up after main returned: " + output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("http://127.0.0.1:"), output);
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(RunMetricsTest::upAndNotLoopback)
                .flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
    }

    private static boolean upAndNotLoopback(NetworkInterface n) {
        try {
            return n.isUp() && !n.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    @Test
    void theCsvFilesHoldEveryStepAndEpochAndAreOnDiskAfterEachEpoch() throws IOException {
        try (RunMetrics metrics = RunMetrics.start(runDir.resolve("new/run"), null)) {
            metrics.step(0, 64, 2.5, 0.1, 0.030, 0.010);
            metrics.step(1, 64, Double.NaN, 0.1, 0.020, 0.0);
            metrics.step(2, 32, 1.5, 0.05, 0.0, 0.0);
            metrics.epoch(0, 2.0, Double.NaN);
            metrics.step(3, 64, 1.0, 0.05, 0.016, 0.016);
            metrics.epoch(1, 1.0, 0.75);

            // Flushed at the epoch, before close.
            List<String> rows = Files.readAllLines(runDir.resolve("new/run/metrics.csv"));
            assertEquals(MetricsFiles.STEPS_HEADER, rows.getFirst());
            assertEquals(5, rows.size());
            double[][] expected = {
                {0, 64 / 0.040, 2.5, 0.1, 0.030, 0.010}, {1, 64 / 0.020, Double.NaN, 0.1, 0.020, 0.0},
                {2, Double.NaN, 1.5, 0.05, 0.0, 0.0}, {3, 64 / 0.032, 1.0, 0.05, 0.016, 0.016}};
            double previousTime = 0;
            for (int i = 0; i < expected.length; i++) {
                String[] f = rows.get(i + 1).split(",", -1);
                assertEquals(8, f.length, rows.get(i + 1));
                assertEquals((long) expected[i][0], Long.parseLong(f[0]));
                double time = Double.parseDouble(f[1]);
                assertTrue(time >= previousTime, "time_s never goes back");
                previousTime = time;
                assertEquals(expected[i][1], Double.parseDouble(f[2]), 1e-9, "samples_per_second");
                for (int c = 2; c < 6; c++) {
                    assertEquals(expected[i][c], Double.parseDouble(f[c + 1]), "column " + (c + 1));
                }
                assertTrue(Long.parseLong(f[7]) > 50_000_000L, "host memory of a JVM: " + f[7]);
            }
            assertEquals(List.of("epoch,train_loss,accuracy", "0,2.0,", "1,1.0,0.75"),
                    Files.readAllLines(runDir.resolve("new/run/epochs.csv")));
        }
        assertTrue(Files.exists(runDir.resolve("new/run/loss.png")));
        assertTrue(Files.exists(runDir.resolve("new/run/accuracy.png")));
    }

    @Test
    void aRunWithoutAccuracyGetsNoAccuracyChartAndARunWithoutStepsNoCharts() throws IOException {
        try (RunMetrics metrics = RunMetrics.start(runDir.resolve("a"), null)) {
            metrics.step(0, 8, 1.0, 0.1, 0.01, 0.0);
            metrics.epoch(0, 1.0, Double.NaN);
        }
        assertTrue(Files.exists(runDir.resolve("a/loss.png")));
        assertFalse(Files.exists(runDir.resolve("a/accuracy.png")));
        RunMetrics.start(runDir.resolve("b"), null).close();
        assertEquals(List.of(MetricsFiles.STEPS_HEADER), Files.readAllLines(runDir.resolve("b/metrics.csv")));
        assertFalse(Files.exists(runDir.resolve("b/loss.png")));
    }

    @Test
    void badCallsAreRefusedWithTheFix() throws IOException {
        RunMetrics metrics = RunMetrics.start(runDir, null);
        var e = assertThrows(IllegalArgumentException.class, () -> metrics.epoch(0, 1.0, 89.2));
        assertTrue(e.getMessage().contains("pass 0.892"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> metrics.step(0, 8, 1.0, 0.1, -0.5, 0));
        assertTrue(e.getMessage().contains("finite and >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> metrics.step(0, 8, 1.0, Double.NaN, 0.5, 0));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> metrics.step(0, -1, 1.0, 0.1, 0.5, 0));
        assertTrue(e.getMessage().contains("samples -1"), e.getMessage());
        metrics.close();
        metrics.close();  // idempotent
        var closed = assertThrows(IllegalStateException.class, () -> metrics.step(0, 8, 1.0, 0.1, 0.5, 0));
        assertTrue(closed.getMessage().contains("after close()"), closed.getMessage());
        Path file = Files.writeString(runDir.resolve("not-a-dir"), "x");
        e = assertThrows(IllegalArgumentException.class, () -> RunMetrics.start(file, null));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RunMetrics.start(runDir.resolve("x"),
                InetSocketAddress.createUnresolved("no-such-host.invalid", 0)));
        assertTrue(e.getMessage().contains("IP address"), e.getMessage());
        Files.createDirectories(runDir.resolve("y/epochs.csv"));  // a file that cannot be opened for writing
        var io = assertThrows(IOException.class, () -> RunMetrics.start(runDir.resolve("y"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        assertTrue(io.getMessage().contains("epochs.csv") && io.getMessage().contains("run directory this process can"
                + " write"), io.getMessage());
    }

    @Test
    void longRunsAreAveragedForTheChart() {
        DoubleSeries series = new DoubleSeries();
        for (int i = 0; i < 12_000; i++) {
            series.add(i, i % 2);
        }
        double[][] xy = series.toXY(5_000);
        assertEquals(4_000, xy[0].length, "groups of 3");
        assertEquals(1.0, xy[0][0]);
        assertEquals(1.0 / 3, xy[1][0], 1e-15);
        assertEquals(3, series.toXY(3)[0].length);
        assertEquals(12_000, series.toXY(20_000)[0].length);
    }
}

package org.tensorbridge.monitor;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorbridge.torch.CudaMemory;
import org.tensorbridge.torch.Torch;

/**
 * The metrics of one training run: a Prometheus endpoint (optional) and files in the run directory.
 *
 * <p>Series (all prefixed {@code tensorbridge_}): {@code samples_per_second}, {@code loss}, {@code learning_rate},
 * {@code step_seconds} and {@code loader_wait_seconds} (histograms), {@code steps_total} and {@code samples_total}
 * (counters), {@code epoch} (the last epoch reported, -1 before), {@code accuracy} (the last measured),
 * {@code host_memory_bytes} ({@code kind="rss"}: the process's resident memory; {@code kind="jvm_heap_used"},
 * {@code kind="jvm_heap_committed"}) and, only when CUDA is usable, {@code gpu_memory_bytes}
 * ({@code device="cuda:N"}, {@code kind="allocated"} or {@code "reserved"}: the caching allocator's numbers).
 *
 * <p>Files: {@code metrics.csv} (a row per step:
 * {@code step,time_s,samples_per_second,loss,learning_rate,step_seconds,loader_wait_seconds,host_memory_bytes}),
 * {@code epochs.csv} ({@code epoch,train_loss,accuracy}, accuracy empty when not measured), flushed at most a
 * second apart and at every epoch; existing files of these names are replaced. {@link #close()} adds
 * {@code loss.png} and, when an accuracy was measured, {@code accuracy.png}.
 *
 * <p>{@link #step} is cheap (no system call except the once-a-second flush, nothing allocated per step but the
 * occasional growth of the in-memory loss history); the memory gauges are read when Prometheus scrapes.
 */
public final class RunMetrics implements AutoCloseable {
    public static final String LOSS_CHART = "loss.png";
    public static final String ACCURACY_CHART = "accuracy.png";
    /** A chart of more steps than this averages consecutive steps (the chart is ~800 pixels wide anyway). */
    private static final int MAX_CHART_POINTS = 5_000;
    private static final double[] SECONDS_BUCKETS = exponential(0.0001, 2, 20);  // 100 µs .. 52 s

    private final Path runDir;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge samplesPerSecond;
    private final Gauge loss;
    private final Gauge learningRate;
    private final Histogram stepSeconds;
    private final Histogram loaderWaitSeconds;
    private final Counter steps;
    private final Counter samples;
    private final Gauge epoch;
    private final Gauge accuracy;
    private final MetricsFiles files;
    private final MetricsEndpoint endpoint;
    private final long startNanos;
    private final DoubleSeries stepLosses = new DoubleSeries();
    private final DoubleSeries epochLosses = new DoubleSeries();
    private final DoubleSeries accuracies = new DoubleSeries();
    private long lastStep = -1;
    private long residentBytes;
    private boolean closed;

    private RunMetrics(Path runDir, InetSocketAddress endpointAddress) throws IOException {
        this.runDir = runDir;
        samplesPerSecond = Gauge.builder().name("tensorbridge_samples_per_second")
                .help("Samples per second of the last step: its samples over its step and loader-wait seconds")
                .register(registry);
        loss = Gauge.builder().name("tensorbridge_loss").help("Training loss of the last step").register(registry);
        learningRate = Gauge.builder().name("tensorbridge_learning_rate").help("Learning rate of the last step")
                .register(registry);
        stepSeconds = Histogram.builder().name("tensorbridge_step_seconds")
                .help("Seconds per optimizer step, loader wait excluded").classicOnly()
                .classicUpperBounds(SECONDS_BUCKETS).register(registry);
        loaderWaitSeconds = Histogram.builder().name("tensorbridge_loader_wait_seconds")
                .help("Seconds each step waited for its batch").classicOnly().classicUpperBounds(SECONDS_BUCKETS)
                .register(registry);
        steps = Counter.builder().name("tensorbridge_steps_total").help("Optimizer steps taken").register(registry);
        samples = Counter.builder().name("tensorbridge_samples_total").help("Samples trained on").register(registry);
        epoch = Gauge.builder().name("tensorbridge_epoch").help("The last epoch completed (-1 before the first)")
                .register(registry);
        epoch.set(-1);
        accuracy = Gauge.builder().name("tensorbridge_accuracy")
                .help("The last measured accuracy, a fraction (NaN before the first)").register(registry);
        accuracy.set(Double.NaN);
        GaugeWithCallback.builder().name("tensorbridge_host_memory_bytes")
                .help("Host memory of this process: resident set (rss) and the JVM heap").labelNames("kind")
                .callback(callback -> {
                    long rss = HostMemory.residentBytes();
                    if (rss >= 0) {
                        callback.call(rss, "rss");
                    }
                    Runtime jvm = Runtime.getRuntime();
                    callback.call(jvm.totalMemory() - jvm.freeMemory(), "jvm_heap_used");
                    callback.call(jvm.totalMemory(), "jvm_heap_committed");
                }).register(registry);
        if (Torch.builtWithCuda() && Torch.cudaAvailable()) {
            GaugeWithCallback.builder().name("tensorbridge_gpu_memory_bytes")
                    .help("CUDA memory of libtorch's caching allocator: held by tensors (allocated) and cached"
                            + " (reserved)").labelNames("device", "kind")
                    .callback(callback -> {
                        for (CudaMemory.Stats s : CudaMemory.allStats()) {
                            callback.call(s.allocated(), "cuda:" + s.deviceIndex(), "allocated");
                            callback.call(s.reserved(), "cuda:" + s.deviceIndex(), "reserved");
                        }
                    }).register(registry);
        }
        residentBytes = HostMemory.residentBytes();
        // The endpoint first: a port in use then fails the start before an earlier run's files are replaced.
        endpoint = endpointAddress == null ? null : MetricsEndpoint.start(endpointAddress, registry);
        try {
            files = new MetricsFiles(runDir);
        } catch (IOException | RuntimeException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            throw e;
        }
        startNanos = System.nanoTime();  // time_s counts from here: loading libtorch above is not the run's time
    }

    /**
     * Starts recording a run into {@code runDir} (created if missing), with a Prometheus endpoint at
     * {@code endpoint}: null for none, port 0 for any free port. Callers should default to loopback
     * ({@code new InetSocketAddress(InetAddress.getLoopbackAddress(), port)}): the endpoint has no authentication.
     */
    public static RunMetrics start(Path runDir, InetSocketAddress endpoint) throws IOException {
        if (runDir == null) {
            throw new IllegalArgumentException("runDir is null: pass the run's directory (it is created if missing)");
        }
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("run directory " + runDir + " is a file: pass a directory");
        }
        Files.createDirectories(runDir);
        return new RunMetrics(runDir, endpoint);
    }

    /** Where Prometheus scrapes, e.g. {@code http://127.0.0.1:PORT/metrics}; empty without an endpoint. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint).map(MetricsEndpoint::uri);
    }

    /** The address the endpoint listens on, with its actual port; empty without an endpoint. */
    public Optional<InetSocketAddress> boundAddress() {
        return Optional.ofNullable(endpoint).map(MetricsEndpoint::boundAddress);
    }

    public Path runDir() {
        return runDir;
    }

    /**
     * After each optimizer step. {@code samples} is the step's batch size; {@code stepSeconds} its compute time
     * (forward, backward, optimizer) and {@code loaderWaitSeconds} the time it waited for the batch, so the step's
     * samples per second are {@code samples / (stepSeconds + loaderWaitSeconds)}. A NaN or infinite loss is
     * recorded as it is (divergence is worth seeing).
     */
    public synchronized void step(long step, int samples, double loss, double learningRate, double stepSeconds,
            double loaderWaitSeconds) {
        requireOpen("step");
        if (step < 0 || samples < 0) {
            throw new IllegalArgumentException("step and samples must be >= 0, got step " + step + ", samples "
                    + samples);
        }
        if (!Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate is " + learningRate + " at step " + step
                    + ": pass the optimizer's current, finite learning rate");
        }
        if (!(stepSeconds >= 0) || !(loaderWaitSeconds >= 0) || Double.isInfinite(stepSeconds)
                || Double.isInfinite(loaderWaitSeconds)) {
            throw new IllegalArgumentException("step " + step + " has step seconds " + stepSeconds
                    + " and loader wait seconds " + loaderWaitSeconds + ": both must be finite and >= 0 (measure"
                    + " them with System.nanoTime differences)");
        }
        double seconds = stepSeconds + loaderWaitSeconds;
        double rate = seconds > 0 ? samples / seconds : Double.NaN;
        samplesPerSecond.set(rate);
        this.loss.set(loss);
        this.learningRate.set(learningRate);
        this.stepSeconds.observe(stepSeconds);
        this.loaderWaitSeconds.observe(loaderWaitSeconds);
        steps.inc();
        this.samples.inc(samples);
        stepLosses.add(step, loss);
        lastStep = step;
        double time = (System.nanoTime() - startNanos) / 1e9;
        if (files.step(step, time, rate, loss, learningRate, stepSeconds, loaderWaitSeconds, residentBytes)) {
            residentBytes = HostMemory.residentBytes();  // refreshed as often as the files are flushed
        }
    }

    /**
     * After each epoch: its mean training loss and the accuracy measured after it, a fraction in [0, 1] (NaN when
     * not measured).
     */
    public synchronized void epoch(int epoch, double trainLoss, double accuracy) {
        requireOpen("epoch");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if (!Double.isNaN(accuracy) && !(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy " + accuracy + " at epoch " + epoch + " is not a fraction in"
                    + " [0, 1]" + (accuracy > 1 && accuracy <= 100 ? " (a percentage? pass " + accuracy / 100 + ")" : "")
                    + "; pass NaN when not measured");
        }
        this.epoch.set(epoch);
        if (!Double.isNaN(accuracy)) {
            this.accuracy.set(accuracy);
            accuracies.add(epoch, accuracy);
        }
        // Drawn at the step the epoch ended on, so it shares the per-step chart's x axis.
        epochLosses.add(Math.max(lastStep, 0), trainLoss);
        files.epoch(epoch, trainLoss, accuracy);
    }

    /**
     * Stops the endpoint, flushes and closes the metrics files, writes {@code loss.png} (per step and per epoch,
     * when there was a step) and {@code accuracy.png} (when an accuracy was measured). Idempotent.
     *
     * @throws UncheckedIOException when a file cannot be written (the endpoint is stopped regardless)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (endpoint != null) {
                endpoint.close();
            }
        } finally {
            files.close();
        }
        try {
            if (stepLosses.size() > 0 || epochLosses.size() > 0) {
                Map<String, double[][]> lossSeries = new LinkedHashMap<>();
                if (stepLosses.size() > 0) {
                    lossSeries.put(stepLosses.size() > MAX_CHART_POINTS ? "loss per step (averaged)" : "loss per step",
                            stepLosses.toXY(MAX_CHART_POINTS));
                }
                if (epochLosses.size() > 0) {
                    lossSeries.put("epoch mean", epochLosses.toXY(MAX_CHART_POINTS));
                }
                Charts.writeLines(runDir.resolve(LOSS_CHART), "Training loss", "step", "loss", lossSeries);
            }
            if (accuracies.anyFinite()) {
                Charts.writeLines(runDir.resolve(ACCURACY_CHART), "Accuracy", "epoch", "accuracy",
                        Map.of("accuracy", accuracies.toXY(MAX_CHART_POINTS)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's charts into " + runDir + ": " + e.getMessage(), e);
        }
    }

    private void requireOpen(String call) {
        if (closed) {
            throw new IllegalStateException(call + "() after close(): this run's metrics are finished; start a new"
                    + " RunMetrics for another run");
        }
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] bounds = new double[count];
        for (int i = 0; i < count; i++) {
            bounds[i] = start * Math.pow(factor, i);
        }
        return bounds;
    }
}

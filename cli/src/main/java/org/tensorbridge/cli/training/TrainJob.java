package org.tensorbridge.cli.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorbridge.amp.GradScaler;
import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.checkpoint.Checkpoints;
import org.tensorbridge.cli.progress.Progresses;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.monitor.Charts;
import org.tensorbridge.monitor.RunMetrics;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * A whole run: read the data, build the model, train it with AdamW and a cosine schedule over the run's steps,
 * measure the accuracy once at the end, and save a torch.save state dict Python loads with
 * {@code torch.load(path, weights_only=True)} into the run directory, with the monitor module's metrics files
 * ({@code metrics.csv}, {@code epochs.csv}, {@code loss.png}, {@code accuracy.png}) and, when asked for, its
 * Prometheus endpoint.
 */
public final class TrainJob {
    /** The histogram of the first layer's weights, written into the run directory at the end. */
    public static final String WEIGHTS_CHART = "weights.png";
    private final TrainConfig config;
    private final Progresses progress;
    private final Consumer<String> report;
    private final List<TrainingListener> listeners;

    /**
     * @param report    receives the run's summary lines (the command prints and logs them)
     * @param listeners see every step and epoch, after the progress display and the run's metrics
     */
    public TrainJob(TrainConfig config, Progresses progress, Consumer<String> report, List<TrainingListener> listeners) {
        this.config = config;
        this.progress = progress;
        this.report = report;
        this.listeners = List.copyOf(listeners);
    }

    public TrainResult run() throws IOException {
        long start = System.nanoTime();
        Device device = config.device();
        Torch.manualSeed(config.seed());
        Torch.setNumThreads(Runtime.getRuntime().availableProcessors());  // Debian's libtorch starts with one
        Files.createDirectories(config.out());
        try (RunMetrics metrics = RunMetrics.start(config.out(), config.metricsEndpoint()); Scope run = Scope.open()) {
            metrics.endpoint().ifPresent(uri -> report.accept("metrics: " + uri + " (Prometheus, during the run)"));
            TrainingData data = Datasets.load(config.dataset(), config.workingDirectory(), config.labelColumn(), config.model().equalsIgnoreCase("cnn"),
                    progress);
            report.accept(String.format(Locale.ROOT, "%s, %s, %d classes, %d training samples%s; AdamW lr %s + cosine,"
                            + " batch %d, %s, libtorch %s on %s", data.description(),
                    BuiltinModels.describe(config.model(), data.sampleShape(), data.classes()), data.classes(),
                    data.train().size(), data.test() == null ? " (no test split)" : ", " + data.test().size() + " test",
                    config.lr(), config.batch(), config.precision().describe(), Torch.version(), device));
            ArrayDataset evaluation = data.test() != null ? data.test() : data.train();
            try (Sequential model = BuiltinModels.build(config.model(), data.sampleShape(), data.classes());
                 DataLoader trainLoader = DataLoader.builder(data.train()).batchSize(config.batch()).shuffle(config.seed())
                         .device(device).build();
                 DataLoader testLoader = DataLoader.builder(evaluation).batchSize(1000).device(device).build();
                 GradScaler scaler = new GradScaler(65536.0, 2.0, 0.5, 2000, config.precision().needsGradScaler())) {
                model.to(device);
                long stepsPerEpoch = trainLoader.size();
                long totalSteps = config.maxSteps() > 0 ? Math.min(config.maxSteps(), stepsPerEpoch * config.epochs())
                        : stepsPerEpoch * config.epochs();
                long steps;
                try (Adam optimizer = Adam.adamW(model.parameters(), config.lr())) {  // owns its moment tensors
                    LRScheduler schedule = LRScheduler.cosineAnnealingLR(optimizer, (int) totalSteps, 0);
                    List<TrainingListener> all = new ArrayList<>();
                    all.add(new ProgressListener(progress, report, config.batch()));
                    all.add(new MetricsListener(metrics));
                    all.addAll(listeners);
                    steps = new TrainingLoop(model, optimizer, schedule, scaler, config.precision(), device, all)
                            .run(trainLoader, config.epochs(), totalSteps);
                }
                double accuracy = accuracy(model, testLoader);
                Path checkpoint = config.out().resolve(config.checkpoint());
                try (Scope saving = Scope.open()) {
                    model.to(Device.CPU);
                    Checkpoints.save(checkpoint, model.stateDict());
                    writeWeightHistogram(model, config.out().resolve(WEIGHTS_CHART));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                report.accept(String.format(Locale.ROOT, "%s accuracy %.2f%% after %d steps in %.1f s; checkpoint %s"
                                + " (torch.load(path, weights_only=True) reads it)", data.test() != null ? "test" : "training-set",
                        accuracy * 100, steps, seconds, checkpoint));
                return new TrainResult(accuracy, data.test() != null, steps, seconds, checkpoint);
            }
        }
    }

    /** How the first layer's trained weights are distributed, as the seed plots them (plt.hist). */
    private static void writeWeightHistogram(Sequential model, Path png) throws IOException {
        Map.Entry<String, Tensor> first = model.namedParameters().entrySet().iterator().next();
        try (NDArray weights = Bridge.toArray(first.getValue().detach())) {
            Charts.write(png, Charts.histogram("trained weights: " + first.getKey(), weights, 50));
        }
    }

    /** The fraction classified right, in eval mode without autograd. */
    static double accuracy(Sequential model, DataLoader loader) {
        model.eval();
        long correct = 0;
        long total = 0;
        try (GradMode noGrad = GradMode.disabled(); DataLoader.Epoch batches = loader.epoch(0)) {
            for (Batch batch : batches) {
                try (Scope scope = Scope.open(); batch) {
                    correct += TrainingLoop.correct(model.forward(batch.get("x")), batch.get("y"));
                    total += batch.size();
                }
            }
        }
        return (double) correct / total;
    }
}

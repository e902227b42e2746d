package org.tensorbridge.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tensorbridge.cli.config.Settings;
import org.tensorbridge.cli.training.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tensorbridge train}: a built-in model ({@code mlp}, {@code cnn}) on a dataset (Fashion-MNIST, an IDX
 * directory, an .npz with x/y, a CSV), with the demo's loop; the run directory gets the checkpoint
 * ({@code model.pt}), {@code tensorbridge.log} and the metrics files; {@code --metrics-port} serves Prometheus.
 */
@Command(name = "train", description = "Train a built-in model (mlp, cnn) on Fashion-MNIST, an IDX directory, an .npz"
        + " (x, y, optional x_test, y_test) or a CSV; write model.pt, tensorbridge.log, metrics.csv, epochs.csv and charts"
        + " to the run directory.")
final class TrainCommand implements Callable<Integer> {
    static final TrainingRunner.Defaults DEFAULTS = new TrainingRunner.Defaults(8, 256, 2e-3, Path.of("runs", "train"),
            "model.pt");

    @ParentCommand
    private Main main;

    @Mixin
    private TrainingOptions options;

    @Option(names = "--model", paramLabel = "mlp|cnn", description = "built-in model (default mlp; TB_MODEL)")
    private String model;

    @Option(names = "--dataset", paramLabel = "NAME|DIR|FILE", description = "fashion-mnist (default), a directory of"
            + " MNIST-style IDX files, an .npz with arrays x and y, or a .csv with a header (TB_DATASET)")
    private String dataset;

    @Option(names = "--label-column", paramLabel = "NAME", description = "the CSV's label column (default label;"
            + " TB_LABEL_COLUMN)")
    private String labelColumn;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "serve Prometheus metrics on PORT (0: any free"
            + " port; default: off; TB_METRICS_PORT)")
    private Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "HOST", description = "address of the metrics endpoint (default"
            + " 127.0.0.1; TB_METRICS_HOST)")
    private String metricsHost;

    @Override
    public Integer call() throws Exception {
        Settings settings = TrainingRunner.settings(main, options);
        String modelKind = settings.text("model", model, "mlp");
        String data = settings.text("dataset", dataset, "fashion-mnist");
        String label = settings.text("label-column", labelColumn, "label");
        InetSocketAddress metrics = MetricsAddress.parse(settings.text("metrics-host", metricsHost, "127.0.0.1"),
                settings.text("metrics-port", metricsPort, "off"));
        TrainConfig config = TrainingRunner.config(settings, options, DEFAULTS, modelKind, data, label,
                main.workingDirectory(), metrics);
        TrainingRunner.run(main, "tensorbridge train: " + modelKind + " on " + data, settings, config, List.of());
        return ExitCodes.OK;
    }
}

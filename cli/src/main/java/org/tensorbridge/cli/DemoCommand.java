package org.tensorbridge.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tensorbridge.cli.config.Settings;
import org.tensorbridge.cli.training.Datasets;
import org.tensorbridge.cli.training.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tensorbridge demo}: the main job, {@code train} with fixed settings. Trains a 784-256-128-10 MLP with
 * dropout on Fashion-MNIST (Debian's {@code dataset-fashion-mnist}) on the best device — AdamW lr 2e-3 with a
 * cosine schedule, 8 epochs of batch 256, float16 autocast + GradScaler on CUDA — prints progress and the test
 * accuracy, and saves {@code runs/demo/fashion_mlp.pt}, which Python loads with
 * {@code torch.load(path, weights_only=True)}.
 */
@Command(name = "demo", description = {"Train an MLP (784-256-128-10) on Fashion-MNIST with the loader, AdamW, a cosine"
        + " schedule and AMP on CUDA; save runs/demo/fashion_mlp.pt (Python: torch.load(path, weights_only=True))."})
final class DemoCommand implements Callable<Integer> {
    static final Path DATA = Datasets.FASHION_MNIST;
    static final TrainingRunner.Defaults DEFAULTS = new TrainingRunner.Defaults(8, 256, 2e-3, Path.of("runs", "demo"),
            "fashion_mlp.pt");

    @ParentCommand
    private Main main;

    @Mixin
    private TrainingOptions options;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST's four IDX files (default: " + Datasets.FASHION_MNIST_DIR
            + ", from Debian's dataset-fashion-mnist)")
    private Path data;

    @Override
    public Integer call() throws Exception {
        Settings settings = TrainingRunner.settings(main, options);
        String dataset = data == null ? "fashion-mnist" : data.toString();
        TrainConfig config = TrainingRunner.config(settings, options, DEFAULTS, "mlp", dataset, null,
                main.workingDirectory(), null);
        TrainingRunner.run(main, "tensorbridge demo: Fashion-MNIST MLP 784-256-128-10, AdamW + cosine", settings, config,
                List.of());
        return ExitCodes.OK;
    }
}

package org.tensorbridge.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorbridge.cli.config.Settings;
import org.tensorbridge.cli.logging.RunLog;
import org.tensorbridge.cli.training.BuiltinModels;
import org.tensorbridge.cli.training.Devices;
import org.tensorbridge.cli.training.Precision;
import org.tensorbridge.cli.training.TrainConfig;
import org.tensorbridge.cli.training.TrainJob;
import org.tensorbridge.cli.training.TrainResult;
import org.tensorbridge.cli.training.TrainingListener;
import org.tensorbridge.torch.Device;

/** What demo and train share: resolve the settings, print them, open the run's log file, run the job. */
final class TrainingRunner {
    /** A command's defaults for the shared options. */
    record Defaults(int epochs, int batch, double lr, Path out, String checkpoint) {
    }

    private TrainingRunner() {
    }

    /**
     * Resolves the shared settings into a config; {@code model}, {@code dataset} and {@code labelColumn} come from
     * the caller (resolved through the same {@code settings}, so they show in the configuration too).
     */
    static TrainConfig config(Settings settings, TrainingOptions o, Defaults defaults, String model, String dataset,
                              String labelColumn, Path workingDirectory, InetSocketAddress metricsEndpoint) {
        int epochs = settings.integer("epochs", o.epochs, defaults.epochs(), 1);
        int batch = settings.integer("batch", o.batch, defaults.batch(), 1);
        double lr = settings.number("lr", o.lr, defaults.lr());
        String amp = settings.text("amp", o.amp, "auto");
        String deviceText = settings.text("device", o.device, "auto");
        Path out = settings.path("out", o.out, defaults.out());
        long maxSteps = settings.longValue("max-steps", o.maxSteps, 0, 0);
        long seed = settings.longValue("seed", o.seed, 0, Long.MIN_VALUE);
        BuiltinModels.requireKnown(model);
        Device device = Devices.resolve(deviceText);
        Precision precision = Precision.resolve(amp, device);
        return new TrainConfig(model, dataset, labelColumn, epochs, batch, lr, precision, device, out,
                defaults.checkpoint(), maxSteps, seed, workingDirectory, metricsEndpoint);
    }

    static Settings settings(Main main, TrainingOptions o) throws IOException {
        return Settings.load(main.environment(), main.workingDirectory(),
                o.envFile == null ? null : main.workingDirectory().resolve(o.envFile));
    }

    /** Prints the configuration, then runs with the run directory's log file open. */
    static TrainResult run(Main main, String title, Settings settings, TrainConfig config,
                           List<TrainingListener> listeners) throws IOException {
        Path out = config.workingDirectory().resolve(config.out());
        Files.createDirectories(out);
        TrainConfig inRunDir = config.withOut(out);
        try (RunLog log = RunLog.open(out, main.out())) {
            log.line(title);
            for (String line : settings.describe().split("\n")) {
                log.line(line);
            }
            return new TrainJob(inRunDir, main.progress(), log.lines(), listeners).run();
        }
    }
}

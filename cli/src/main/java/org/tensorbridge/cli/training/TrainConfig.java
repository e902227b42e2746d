package org.tensorbridge.cli.training;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.tensorbridge.torch.Device;

/**
 * One training run, resolved from flags, environment, .env and defaults.
 *
 * @param maxSteps   stop after this many optimizer steps (0: run every epoch)
 * @param checkpoint the checkpoint's file name inside {@code out}
 * @param workingDirectory what relative paths ({@code out}, the dataset) are relative to
 * @param metricsEndpoint  where to serve Prometheus metrics during the run, or null for none
 */
public record TrainConfig(String model, String dataset, String labelColumn, int epochs, int batch, double lr,
                          Precision precision, Device device, Path out, String checkpoint, long maxSteps, long seed,
                          Path workingDirectory, InetSocketAddress metricsEndpoint) {
    /** The same run writing into {@code out}. */
    public TrainConfig withOut(Path out) {
        return new TrainConfig(model, dataset, labelColumn, epochs, batch, lr, precision, device, out, checkpoint,
                maxSteps, seed, workingDirectory, metricsEndpoint);
    }
}

package org.tensorbridge.cli.training;

import java.util.Locale;
import java.util.function.Consumer;
import org.tensorbridge.cli.progress.ProgressDisplay;
import org.tensorbridge.cli.progress.Progresses;

/** A progress display per epoch (loss, samples/s, ETA) and a summary line when an epoch ends. */
final class ProgressListener implements TrainingListener {
    private final Progresses progress;
    private final Consumer<String> report;
    private final int batch;
    private ProgressDisplay display;
    private long stepsPerEpoch;
    private long totalSteps;
    private int epochs;
    private double lossSum;
    private long lossCount;
    private double busySeconds;
    private long samples;

    ProgressListener(Progresses progress, Consumer<String> report, int batch) {
        this.progress = progress;
        this.report = report;
        this.batch = batch;
    }

    @Override
    public void started(long totalSteps, long stepsPerEpoch, int epochs) {
        this.totalSteps = totalSteps;
        this.stepsPerEpoch = stepsPerEpoch;
        this.epochs = epochs;
    }

    @Override
    public void step(StepStats step) {
        if (display == null) {
            long left = totalSteps - (step.step() - 1);
            display = progress.open(String.format(Locale.ROOT, "epoch %d/%d", step.epoch(), epochs),
                    Math.min(stepsPerEpoch, left));
            lossSum = 0;
            lossCount = 0;
            busySeconds = 0;
            samples = 0;
        }
        lossSum += step.loss();
        lossCount++;
        samples += step.samples();
        busySeconds += step.stepSeconds() + step.loaderWaitSeconds();
        display.update(step.stepInEpoch(), String.format(Locale.ROOT, "loss %.4f  %.0f samples/s", lossSum / lossCount,
                samples / Math.max(busySeconds, 1e-9)));
    }

    @Override
    public void epoch(EpochStats epoch) {
        if (display != null) {
            display.close();
            display = null;
        }
        report.accept(String.format(Locale.ROOT, "epoch %d/%d done: train loss %.4f, train accuracy %.2f%%, %.0f samples/s"
                        + " (%.1f s)", epoch.epoch(), epoch.epochs(), epoch.trainLoss(), epoch.trainAccuracy() * 100,
                epoch.samples() / Math.max(epoch.seconds(), 1e-9), epoch.seconds()));
    }
}

package org.tensorbridge.cli.training;

import org.tensorbridge.monitor.RunMetrics;

/** Hands the loop's numbers to the monitor module: metrics.csv, epochs.csv, the charts, the Prometheus endpoint. */
final class MetricsListener implements TrainingListener {
    private final RunMetrics metrics;

    MetricsListener(RunMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void step(StepStats s) {
        metrics.step(s.step(), (int) s.samples(), s.loss(), s.lr(), s.stepSeconds(), s.loaderWaitSeconds());
    }

    @Override
    public void epoch(EpochStats e) {
        metrics.epoch(e.epoch(), e.trainLoss(), e.trainAccuracy());  // the epoch's training accuracy
    }
}

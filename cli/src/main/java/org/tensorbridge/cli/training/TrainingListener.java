package org.tensorbridge.cli.training;

/**
 * What the training loop reports, from one place: each optimizer step and each finished epoch. The progress
 * display is one listener, the epoch CSV another; a metrics endpoint plugs in as one more.
 */
public interface TrainingListener {
    /** Before the first step. */
    default void started(long totalSteps, long stepsPerEpoch, int epochs) {
    }

    void step(StepStats step);

    void epoch(EpochStats epoch);

    /** After the last step (also when the run stopped early with --max-steps). */
    default void finished(long steps, double seconds) {
    }
}

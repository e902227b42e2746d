package org.tensorbridge.cli.training;

import java.nio.file.Path;

/**
 * What a run produced.
 *
 * @param accuracy   on the test split, or on the training set when the data has no test split
 * @param onTestSet  whether {@code accuracy} was measured on held-out data
 */
public record TrainResult(double accuracy, boolean onTestSet, long steps, double seconds, Path checkpoint) {
}

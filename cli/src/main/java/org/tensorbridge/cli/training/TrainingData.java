package org.tensorbridge.cli.training;

import org.tensorbridge.data.ArrayDataset;

/**
 * The arrays a run trains and evaluates on.
 *
 * @param test        the held-out split, or null when the source has none (accuracy is then measured on train)
 * @param sampleShape the shape of one input sample (features, or [channels, height, width])
 * @param classes     number of classes (the largest label + 1)
 */
public record TrainingData(ArrayDataset train, ArrayDataset test, long[] sampleShape, int classes, String description) {
}

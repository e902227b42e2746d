package org.tensorbridge.cli.training;

/**
 * One finished (or, with --max-steps, cut short) epoch.
 *
 * @param trainLoss     mean loss over the epoch's batches
 * @param trainAccuracy fraction of the epoch's training samples classified right (measured in train mode)
 * @param samples       samples seen in the epoch
 * @param seconds       wall time of the epoch
 */
public record EpochStats(int epoch, int epochs, double trainLoss, double trainAccuracy, long samples, double seconds) {
}

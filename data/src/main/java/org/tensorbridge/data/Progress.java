package org.tensorbridge.data;

/**
 * What the loader reports after each batch it hands out: for progress bars and metrics.
 *
 * @param queued             batches assembled and waiting for the consumer
 * @param consumerWaitSeconds time the consumer spent waiting for batches so far this epoch
 */
public record Progress(long epoch, long batch, long batches, long samples, double samplesPerSecond, int queued,
                       double consumerWaitSeconds) {
}

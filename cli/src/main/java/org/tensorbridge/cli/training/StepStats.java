package org.tensorbridge.cli.training;

/**
 * One optimizer step.
 *
 * @param step              steps done so far in the run (1 for the first)
 * @param epoch             the epoch, from 1
 * @param stepInEpoch       steps done so far in this epoch
 * @param samples           samples in this step's batch
 * @param loss              this batch's loss
 * @param lr                the learning rate this step used
 * @param stepSeconds       wall time of the step (forward, backward, optimizer), loader wait excluded
 * @param loaderWaitSeconds time the loop waited for this batch
 */
public record StepStats(long step, int epoch, long stepInEpoch, long samples, double loss, double lr,
                        double stepSeconds, double loaderWaitSeconds) {
}

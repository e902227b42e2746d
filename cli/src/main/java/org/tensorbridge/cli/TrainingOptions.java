package org.tensorbridge.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options demo and train share. Every one is optional: an unset flag falls back to TB_&lt;NAME&gt; in the
 * environment, then the .env file, then the command's default (see {@link org.tensorbridge.cli.config.Settings}).
 */
final class TrainingOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "epochs (TB_EPOCHS)")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "batch size (TB_BATCH)")
    Integer batch;

    @Option(names = "--lr", paramLabel = "X", description = "AdamW learning rate, cosine-annealed to 0 (TB_LR)")
    Double lr;

    @Option(names = "--amp", paramLabel = "auto|off|fp16|bf16",
            description = "mixed precision; auto: float16 + GradScaler on CUDA, off on the CPU (TB_AMP)")
    String amp;

    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:i]",
            description = "where to train; auto: CUDA when usable, else the CPU (TB_DEVICE)")
    String device;

    @Option(names = "--out", paramLabel = "DIR",
            description = "run directory: checkpoint, tensorbridge.log, metrics.csv, epochs.csv, charts (TB_OUT)")
    Path out;

    @Option(names = "--max-steps", paramLabel = "N", description = "stop after N optimizer steps; 0: no limit (TB_MAX_STEPS)")
    Long maxSteps;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the initialisation and the shuffling (TB_SEED)")
    Long seed;

    @Option(names = "--env-file", paramLabel = "FILE", description = "settings file (default: ./.env when present)")
    Path envFile;
}

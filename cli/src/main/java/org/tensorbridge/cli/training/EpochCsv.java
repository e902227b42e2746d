package org.tensorbridge.cli.training;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code epochs.csv} in the run directory: one row per epoch, written as each epoch ends. */
final class EpochCsv implements TrainingListener, AutoCloseable {
    private final BufferedWriter out;

    EpochCsv(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write("epoch,train_loss,train_accuracy,samples,seconds\n");
        out.flush();
    }

    @Override
    public void step(StepStats step) {
    }

    @Override
    public void epoch(EpochStats e) {
        try {
            out.write(String.format(Locale.ROOT, "%d,%.6f,%.6f,%d,%.3f%n", e.epoch(), e.trainLoss(), e.trainAccuracy(),
                    e.samples(), e.seconds()));
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write epochs.csv: " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

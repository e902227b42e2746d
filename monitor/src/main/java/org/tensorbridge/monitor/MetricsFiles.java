package org.tensorbridge.monitor;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code metrics.csv} (a row per step) and {@code epochs.csv} (a row per epoch) in a run directory. Rows are
 * buffered and flushed at most a second apart (and at every epoch), so a crash loses about a second of rows while a
 * step costs no system call.
 */
final class MetricsFiles implements AutoCloseable {
    static final String STEPS_FILE = "metrics.csv";
    static final String EPOCHS_FILE = "epochs.csv";
    static final String STEPS_HEADER =
            "step,time_s,samples_per_second,loss,learning_rate,step_seconds,loader_wait_seconds,host_memory_bytes";
    static final String EPOCHS_HEADER = "epoch,train_loss,accuracy";
    private static final long FLUSH_INTERVAL_NANOS = 1_000_000_000L;

    private final Path steps;
    private final Path epochs;
    private final BufferedWriter stepWriter;
    private final BufferedWriter epochWriter;
    // Reused: a row allocates nothing of its own (Writer.append(CharSequence) would make a String per row).
    private final StringBuilder row = new StringBuilder(192);
    private char[] chars = new char[192];
    private long lastFlush = System.nanoTime();

    MetricsFiles(Path runDir) throws IOException {
        steps = runDir.resolve(STEPS_FILE);
        epochs = runDir.resolve(EPOCHS_FILE);
        stepWriter = open(steps);
        BufferedWriter epochOut = null;
        try {
            epochOut = open(epochs);
            stepWriter.write(STEPS_HEADER);
            stepWriter.newLine();
            epochOut.write(EPOCHS_HEADER);
            epochOut.newLine();
            stepWriter.flush();
            epochOut.flush();
        } catch (IOException e) {
            stepWriter.close();
            if (epochOut != null) {
                epochOut.close();
            }
            throw e;
        }
        epochWriter = epochOut;
    }

    private static BufferedWriter open(Path file) throws IOException {
        try {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + " (" + e + "): pass a run directory this process can write"
                    + " files into", e);
        }
    }

    /** Appends a step's row; returns true when this call flushed the files (about once a second). */
    boolean step(long step, double timeSeconds, double samplesPerSecond, double loss, double learningRate,
            double stepSeconds, double loaderWaitSeconds, long hostMemoryBytes) {
        row.setLength(0);
        row.append(step).append(',').append(timeSeconds).append(',').append(samplesPerSecond).append(',').append(loss)
                .append(',').append(learningRate).append(',').append(stepSeconds).append(',')
                .append(loaderWaitSeconds).append(',');
        if (hostMemoryBytes >= 0) {
            row.append(hostMemoryBytes);
        }
        try {
            writeRow(stepWriter);
            long now = System.nanoTime();
            if (now - lastFlush >= FLUSH_INTERVAL_NANOS) {
                flush(now);
                return true;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + steps + ": " + e.getMessage(), e);
        }
    }

    /** Appends an epoch's row (accuracy left empty when NaN: not measured) and flushes both files. */
    void epoch(int epoch, double trainLoss, double accuracy) {
        row.setLength(0);
        row.append(epoch).append(',').append(trainLoss).append(',');
        if (!Double.isNaN(accuracy)) {
            row.append(accuracy);
        }
        try {
            writeRow(epochWriter);
            flush(System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + epochs + ": " + e.getMessage(), e);
        }
    }

    private void writeRow(BufferedWriter writer) throws IOException {
        row.append('\n');
        if (chars.length < row.length()) {
            chars = new char[row.length() * 2];
        }
        row.getChars(0, row.length(), chars, 0);
        writer.write(chars, 0, row.length());
    }

    private void flush(long now) throws IOException {
        stepWriter.flush();
        epochWriter.flush();
        lastFlush = now;
    }

    @Override
    public void close() {
        IOException failure = null;
        for (BufferedWriter w : new BufferedWriter[] {stepWriter, epochWriter}) {
            try {
                w.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("cannot finish the metrics files in " + steps.getParent() + ": "
                    + failure.getMessage(), failure);
        }
    }
}

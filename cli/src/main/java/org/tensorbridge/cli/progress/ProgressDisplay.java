package org.tensorbridge.cli.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long piece of work with a known number of units (steps, files): a bar redrawn in place on a
 * terminal, plain periodic lines elsewhere (a pipe, nohup over SSH, CI, a test), so a log file never fills with
 * carriage returns.
 */
public interface ProgressDisplay extends AutoCloseable {
    /** {@code done} units of the total are finished; {@code detail} (loss, samples/s, ...) is shown beside. */
    void update(long done, String detail);

    /** Finishes the display (a bar ends its line). */
    @Override
    void close();

    /** A bar on a terminal, else lines every {@code lineSeconds} seconds and every 10%. */
    static ProgressDisplay create(String label, long total, PrintStream out, boolean terminal, double lineSeconds) {
        return create(label, total, out, terminal, lineSeconds, System::nanoTime);
    }

    static ProgressDisplay create(String label, long total, PrintStream out, boolean terminal, double lineSeconds,
                                  LongSupplier nanoTime) {
        return terminal ? new TerminalBar(label, total, out, nanoTime) : new ProgressLines(label, total, out, lineSeconds, nanoTime);
    }

    /** {@code 1:05} / {@code 1:02:03} for the ETA. */
    static String duration(double seconds) {
        long s = Math.round(Math.max(seconds, 0));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** The estimated time left, from the rate so far. */
    static String eta(long done, long total, double elapsedSeconds) {
        if (done <= 0 || total <= 0) {
            return "ETA ?";
        }
        return "ETA " + duration(elapsedSeconds * (total - done) / done);
    }
}

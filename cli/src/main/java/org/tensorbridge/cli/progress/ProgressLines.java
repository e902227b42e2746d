package org.tensorbridge.cli.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as whole lines for output that is not a terminal: a line when another 10% is done or when
 * {@code lineSeconds} passed since the last line, whichever comes first, and one at the end.
 */
final class ProgressLines implements ProgressDisplay {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final long start;
    private long lastLine;
    private long lastTenth;
    private long done;
    private String detail = "";
    private long printedDone = -1;

    ProgressLines(String label, long total, PrintStream out, double lineSeconds, LongSupplier nanoTime) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.intervalNanos = (long) (lineSeconds * 1e9);
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.lastLine = start;
    }

    @Override
    public void update(long done, String detail) {
        this.done = done;
        this.detail = detail;
        long now = nanoTime.getAsLong();
        long tenth = total > 0 ? done * 10 / total : 0;
        if (tenth > lastTenth || now - lastLine >= intervalNanos) {
            print(now);
            lastTenth = tenth;
        }
    }

    private void print(long now) {
        lastLine = now;
        printedDone = done;
        double percent = total > 0 ? 100.0 * done / total : 0;
        out.println(String.format(Locale.ROOT, "%s %3.0f%% (%d/%d) %s %s", label, percent, done, total,
                ProgressDisplay.eta(done, total, (now - start) / 1e9), detail).stripTrailing());
    }

    @Override
    public void close() {
        if (done != printedDone && done > 0) {  // the last state, unless already printed
            print(nanoTime.getAsLong());
        }
    }
}

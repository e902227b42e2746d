package org.tensorbridge.cli.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** A bar redrawn in place with a carriage return, at most 10 times a second: {@code label [#####.....] 45% ...}. */
final class TerminalBar implements ProgressDisplay {
    private static final int WIDTH = 30;
    private final String label;
    private final long total;
    private final PrintStream out;
    private final LongSupplier nanoTime;
    private final long start;
    private long lastDraw = Long.MIN_VALUE;
    private long done;
    private String detail = "";
    private int lastLength;

    TerminalBar(String label, long total, PrintStream out, LongSupplier nanoTime) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    @Override
    public void update(long done, String detail) {
        this.done = done;
        this.detail = detail;
        long now = nanoTime.getAsLong();
        if (done >= total || lastDraw == Long.MIN_VALUE || now - lastDraw >= 100_000_000L) {
            draw(now);
        }
    }

    private void draw(long now) {
        lastDraw = now;
        double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        String line = String.format(Locale.ROOT, "%s [%s%s] %3.0f%% %d/%d %s %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), fraction * 100, done, total,
                ProgressDisplay.eta(done, total, (now - start) / 1e9), detail);
        String padding = " ".repeat(Math.max(0, lastLength - line.length()));  // wipe a longer previous line
        lastLength = line.length();
        out.print("\r" + line + padding);
        out.flush();
    }

    @Override
    public void close() {
        draw(nanoTime.getAsLong());
        out.println();
    }
}

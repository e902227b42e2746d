package org.tensorbridge.cli.progress;

import java.io.PrintStream;

/** Opens progress displays of one kind (bars or lines) on one stream. */
@FunctionalInterface
public interface Progresses {
    ProgressDisplay open(String label, long total);

    /** Bars on a terminal, else a line per 10% or every {@code lineSeconds} seconds. */
    static Progresses on(PrintStream out, boolean terminal, double lineSeconds) {
        return (label, total) -> ProgressDisplay.create(label, total, out, terminal, lineSeconds);
    }
}

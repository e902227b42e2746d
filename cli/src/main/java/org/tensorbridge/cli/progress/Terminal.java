package org.tensorbridge.cli.progress;

import java.io.Console;
import java.util.Map;

/** Whether output goes to an interactive terminal, where a bar may redraw itself. */
public final class Terminal {
    private Terminal() {
    }

    /**
     * True when the JVM's console is a terminal and {@code TERM} is set and not {@code dumb}. Output through a
     * pipe or a file, nohup, CI and tests get plain lines.
     */
    public static boolean interactive(Map<String, String> environment) {
        Console console = System.console();
        String term = environment.getOrDefault("TERM", "");
        return console != null && console.isTerminal() && !term.isEmpty() && !term.equals("dumb");
    }
}

package org.tensorbridge.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the command line in-process with a given environment and working directory, capturing out and err apart. */
record Cli(int exit, String out, String err) {
    static Cli run(Map<String, String> environment, Path workingDirectory, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment, workingDirectory, false);
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** No TB_ variables, the current directory (the module's) as working directory. */
    static Cli run(String... args) {
        return run(Map.of(), Path.of("").toAbsolutePath(), args);
    }

    /** Both streams, for assertion messages. */
    String all() {
        return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
}

package org.tensorbridge.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The {@code tensorbridge} command: one subcommand per job. */
public final class Main {
    /** A subcommand: runs with its arguments and returns the exit code. */
    interface Command {
        int run(String[] args, PrintStream out) throws Exception;

        String summary();
    }

    private static final Map<String, Command> COMMANDS = new TreeMap<>(Map.of(
            "doctor", new DoctorCommand(),
            "demo", new DemoCommand(),
            "inspect", new InspectCommand(),
            "run", new RunCommand()));

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // One line per log record ("INFO: using cuda:0 ..."), unless the user configured logging.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            out.println("unknown command '" + args[0] + "'");
            usage(out);
            return 2;
        }
        return command.run(Arrays.copyOfRange(args, 1, args.length), out);
    }

    private static void usage(PrintStream out) {
        out.println("usage: tensorbridge <command> [options]");
        COMMANDS.forEach((name, command) -> out.printf("  %-10s %s%n", name, command.summary()));
    }
}

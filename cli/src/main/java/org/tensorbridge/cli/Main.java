package org.tensorbridge.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.tensorbridge.cli.progress.Progresses;
import org.tensorbridge.cli.progress.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code tensorbridge} command. Each subcommand is a picocli {@code @Command} class: adding one is one entry in
 * {@code subcommands} below. Options, help and version are inherited by every subcommand.
 */
@Command(name = "tensorbridge", scope = CommandLine.ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, sortOptions = false, usageHelpAutoWidth = true,
        description = "NumPy-style arrays and real libtorch from Java: train, inspect and convert models and data.",
        footer = {"", "Exit codes:", "  0  ok", "  1  failure", "  2  usage error: unknown command or option, bad value",
                "  3  environment problem: no dataset, no CUDA when --device cuda was asked for",
                "Settings (train, demo): flag > environment TB_<OPTION> (TB_EPOCHS, TB_DEVICE,",
                "  TB_OUT, ...) > .env file (./.env or --env-file) > default."},
        subcommands = {
            DoctorCommand.class,
            DemoCommand.class,
            TrainCommand.class,
            InspectCommand.class,
            ConvertCommand.class,
            BenchCommand.class,
            RunCommand.class,
            ShellCommand.class,
            NotebookCommand.class,
            CompletionCommand.class,
        })
public final class Main implements Runnable {
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final PrintStream out;
    private final boolean terminal;

    @Spec
    private CommandSpec spec;

    Main(Map<String, String> environment, Path workingDirectory, PrintStream out, boolean terminal) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
        this.out = out;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        System.exit(run(args, System.out, System.err, env, Path.of("").toAbsolutePath(), Terminal.interactive(env)));
    }

    /** Runs a command line with this process's environment, printing everything to {@code out}. */
    static int run(String[] args, PrintStream out) {
        return run(args, out, out, System.getenv(), Path.of("").toAbsolutePath(), false);
    }

    /**
     * Runs a command line. {@code environment} replaces the process's for the settings (tests pass a map),
     * {@code terminal} chooses progress bars over progress lines.
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment, Path workingDirectory,
                   boolean terminal) {
        Main main = new Main(environment, workingDirectory, out, terminal);
        CommandLine commandLine = new CommandLine(main);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler(Main::failure);
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExitCodeExceptionMapper(e -> e instanceof EnvironmentException ? ExitCodes.ENVIRONMENT
                : e instanceof UsageException || e instanceof CommandLine.ParameterException ? ExitCodes.USAGE
                : ExitCodes.FAILURE);
        return commandLine.execute(args);
    }

    /**
     * A bad command line: what was wrong, picocli's "did you mean" where it has one, then the usage of the command
     * it was meant for (picocli's default prints a suggestion instead of the usage, however far-fetched).
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println(e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        commandLine.usage(err);
        return ExitCodes.USAGE;
    }

    /** An exception out of a command: one line with the message (which says the fix), the exit code by its kind. */
    private static int failure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        String name = commandLine.getCommandSpec().qualifiedName();
        if (e instanceof UsageException) {
            commandLine.getErr().println(name + ": " + e.getMessage() + " (see: " + name + " --help)");
            return ExitCodes.USAGE;
        }
        commandLine.getErr().println(name + ": " + (e instanceof EnvironmentException ? "" : e.getClass().getSimpleName() + ": ")
                + e.getMessage());
        org.slf4j.LoggerFactory.getLogger(Main.class).debug("{} failed", name, e);
        return e instanceof EnvironmentException ? ExitCodes.ENVIRONMENT : ExitCodes.FAILURE;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no command given: choose one of "
                + spec.subcommands().keySet());
    }

    /** The environment the settings read (the process's, or a test's map). */
    public Map<String, String> environment() {
        return environment;
    }

    public Path workingDirectory() {
        return workingDirectory;
    }

    /** Where commands print (picocli's out wraps the same stream). */
    public PrintStream out() {
        return out;
    }

    /** Progress displays for this invocation: bars on a terminal, lines elsewhere (every 10 s or 10%). */
    public Progresses progress() {
        return Progresses.on(out, terminal, 10);
    }
}

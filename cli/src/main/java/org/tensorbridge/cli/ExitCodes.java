package org.tensorbridge.cli;

/** The exit codes every subcommand uses; the help footer (Main) and the README list them. */
public final class ExitCodes {
    /** The job was done. */
    public static final int OK = 0;
    /** The job failed (a bad file, a training error, a failing benchmark). */
    public static final int FAILURE = 1;
    /** The command line was wrong: unknown command or option, a bad value. */
    public static final int USAGE = 2;
    /** The machine lacks something the command needs: no dataset, no CUDA when --device cuda was asked for. */
    public static final int ENVIRONMENT = 3;

    private ExitCodes() {
    }
}

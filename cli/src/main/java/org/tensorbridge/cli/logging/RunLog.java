package org.tensorbridge.cli.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * A run's log file ({@code <run dir>/tensorbridge.log}): while open, every log record (the library's included)
 * and every summary line the command prints are appended to it with a timestamp. Closing detaches it.
 */
public final class RunLog implements AutoCloseable {
    /** The logger of a run's summary lines: configured (logback.xml) to reach only the run's file. */
    public static final String RUN_LOGGER = "tensorbridge.run";
    private static final org.slf4j.Logger RUN = LoggerFactory.getLogger(RUN_LOGGER);

    private final FileAppender<ILoggingEvent> appender;
    private final Logger root;
    private final Logger run;
    private final PrintStream out;

    private RunLog(FileAppender<ILoggingEvent> appender, Logger root, Logger run, PrintStream out) {
        this.appender = appender;
        this.root = root;
        this.run = run;
        this.out = out;
    }

    /** Opens (appends to) {@code dir/tensorbridge.log}; summary lines also go to {@code out}. */
    public static RunLog open(Path dir, PrintStream out) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("SLF4J is bound to " + LoggerFactory.getILoggerFactory().getClass().getName()
                    + ", not Logback: the run's log file needs logback-classic on the class path");
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("run-file-" + dir);
        appender.setFile(dir.resolve("tensorbridge.log").toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalStateException("cannot open the log file " + dir.resolve("tensorbridge.log")
                    + ": check that the run directory is writable");
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger run = context.getLogger(RUN_LOGGER);
        root.addAppender(appender);
        run.addAppender(appender);
        return new RunLog(appender, root, run, out);
    }

    /** Prints {@code line} and appends it to the log file. */
    public void line(String line) {
        out.println(line);
        RUN.info(line);
    }

    /** {@link #line} as a consumer. */
    public Consumer<String> lines() {
        return this::line;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        run.detachAppender(appender);
        appender.stop();
    }
}

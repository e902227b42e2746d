package org.tensorbridge.notebook;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * Runs notebook cells in a JShell whose code executes in a separate VM (JShell's remote agent), launched with
 * native access and the library on its class path. A cell holds any number of snippets (declarations,
 * statements, expressions); they run in order until one fails, and the value of a final expression is the
 * cell's result.
 */
final class JShellEvaluator implements AutoCloseable {
    /**
     * Options of the VM that runs the cells, as the launcher's: FFM calls without warnings, the fast array loops
     * (the incubator warning goes to the kernel's log, not to a cell); no display needed for images.
     */
    static final List<String> VM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "--add-modules=jdk.incubator.vector", "-Djava.awt.headless=true");
    private static final Set<String> PLAIN_TYPES = Set.of("boolean", "byte", "short", "char", "int", "long", "float",
            "double", "String", "java.lang.String", "Boolean", "Byte", "Short", "Character", "Integer", "Long", "Float",
            "Double");

    /** What printf and format return: showing the stream after its output would be noise. */
    private static final Set<String> NOT_SHOWN_TYPES = Set.of("PrintStream", "java.io.PrintStream", "PrintWriter",
            "java.io.PrintWriter");
    private static final long STOP_RETRY_MILLIS = 50;

    private final JShell jshell;
    private final SourceCodeAnalysis analysis;
    /** Counts evaluations; an interrupt applies to the one running when it came. */
    private volatile long evaluation;
    private volatile boolean evaluating;
    private volatile boolean stopRequested;

    JShellEvaluator(List<Path> classPath, List<String> imports, PrintStream out, PrintStream err) {
        jshell = JShell.builder().out(out).err(err).in(InputStream.nullInputStream())
                .remoteVMOptions(VM_OPTIONS.toArray(String[]::new)).build();
        classPath.forEach(entry -> jshell.addToClasspath(entry.toString()));
        analysis = jshell.sourceCodeAnalysis();
        List<String> setup = new ArrayList<>(imports);
        setup.add("boolean $tbShownAsImage = false;");
        for (String line : setup) {
            if (evaluate(line, () -> { }) instanceof CellOutcome.Failed failed) {
                jshell.close();
                throw new IllegalStateException("the kernel's JShell could not run '" + line + "': "
                        + String.join("\n", failed.traceback()) + "\nIs the library on the class path? " + classPath);
            }
        }
    }

    /**
     * Runs a cell. {@code afterEachSnippet} runs once a snippet has finished (the kernel forwards its output then,
     * so output and results keep their order).
     */
    CellOutcome evaluate(String code, Runnable afterEachSnippet) {
        stopRequested = false;
        evaluation++;
        evaluating = true;
        try {
            CellOutcome outcome = evaluateSnippets(code, afterEachSnippet);
            return stopRequested ? interrupted() : outcome;
        } finally {
            evaluating = false;
        }
    }

    private CellOutcome evaluateSnippets(String code, Runnable afterEachSnippet) {
        String rest = code;
        String resultName = null;
        String resultText = null;
        String resultType = null;
        try {
            while (!stopRequested) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
                if (info.completeness() == Completeness.EMPTY) {
                    break;
                }
                boolean complete = info.completeness().isComplete() && info.source() != null;
                // An incomplete snippet is evaluated as it is: JShell then reports what is missing.
                String source = complete ? info.source() : rest;
                rest = complete ? info.remaining() : "";
                List<SnippetEvent> events = jshell.eval(source);
                afterEachSnippet.run();
                resultName = null;
                for (SnippetEvent event : events) {
                    if (event.causeSnippet() != null) {
                        continue; // an update of an earlier snippet this one caused
                    }
                    if (event.exception() != null) {
                        return thrown(event.exception());
                    }
                    if (event.status() == Snippet.Status.REJECTED) {
                        return rejected(event.snippet());
                    }
                    if (event.snippet() instanceof VarSnippet var
                            && var.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
                        resultName = var.name();
                        resultType = var.typeName();
                        resultText = event.value();
                    } else if (event.snippet() instanceof ExpressionSnippet expression
                            && expression.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND) {
                        resultName = expression.name();
                        resultType = expression.typeName();
                        resultText = event.value();
                    }
                }
                if (rest.isBlank()) {
                    break;
                }
            }
            if (resultName == null || NOT_SHOWN_TYPES.contains(resultType)) {
                return new CellOutcome.Completed(null);
            }
            if (!PLAIN_TYPES.contains(resultType) && showIfImage(resultName, afterEachSnippet)) {
                return new CellOutcome.Completed(null);
            }
            return new CellOutcome.Completed(resultText);
        } catch (IllegalStateException e) {
            // JShell closes itself when its VM ends (System.exit in a cell, a crash).
            return new CellOutcome.Failed("KernelVmEnded", String.valueOf(e.getMessage()), List.of(
                    "The VM that runs the cells has ended (" + e.getMessage() + ").",
                    "Restart the kernel to continue."));
        }
    }

    private boolean showIfImage(String name, Runnable afterEachSnippet) {
        List<SnippetEvent> events = jshell.eval(
                "$tbShownAsImage = org.tensorbridge.notebook.Display.showIfImage(" + name + ");");
        afterEachSnippet.run();
        return events.stream().anyMatch(e -> e.causeSnippet() == null && "true".equals(e.value()));
    }

    /**
     * Stops the running cell (Jupyter's interrupt): no further snippet of it starts, and the running one is
     * stopped. JShell's stop only reaches a snippet that is executing, not one still being compiled, so it is
     * repeated until the cell has ended.
     */
    void stop() {
        if (!evaluating) {
            return;
        }
        long interrupted = evaluation;
        stopRequested = true;
        Thread.ofVirtual().name("kernel-stop").start(() -> {
            while (evaluating && evaluation == interrupted) {
                jshell.stop();
                try {
                    Thread.sleep(STOP_RETRY_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static CellOutcome interrupted() {
        return new CellOutcome.Failed("Interrupted", "the cell was interrupted",
                List.of("Interrupted: the cell was interrupted (its variables keep the values they had)"));
    }

    /** Jupyter's is_complete status of {@code code}: complete, incomplete or invalid. */
    String completeness(String code) {
        String rest = code;
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY -> {
                    return "complete";
                }
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> {
                    return "incomplete";
                }
                case UNKNOWN -> {
                    return "invalid";
                }
                default -> {
                    rest = info.remaining();
                    if (rest.isBlank()) {
                        return "complete";
                    }
                }
            }
        }
    }

    /** Completions at {@code cursor}: the names, and where the replaced text starts. */
    Completions complete(String code, int cursor) {
        int[] anchor = new int[1];
        List<String> names = analysis.completionSuggestions(code, cursor, anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        return new Completions(names, anchor[0]);
    }

    record Completions(List<String> matches, int start) {
    }

    private CellOutcome thrown(JShellException exception) {
        List<String> traceback = new ArrayList<>();
        String ename;
        String evalue;
        if (exception instanceof EvalException eval) {
            ename = eval.getExceptionClassName();
            evalue = String.valueOf(eval.getMessage());
        } else if (exception instanceof UnresolvedReferenceException unresolved) {
            ename = "UnresolvedReference";
            evalue = "'" + unresolved.getSnippet().source().strip() + "' refers to something not yet defined";
        } else {
            ename = exception.getClass().getSimpleName();
            evalue = String.valueOf(exception.getMessage());
        }
        traceback.add(ename + ": " + evalue);
        Throwable cause = exception;
        while (cause != null) {
            if (cause != exception) {
                String name = cause instanceof EvalException e ? e.getExceptionClassName() : cause.getClass().getName();
                traceback.add("Caused by: " + name + ": " + cause.getMessage());
            }
            for (StackTraceElement frame : cause.getStackTrace()) {
                String where = frame.getClassName();
                if (where.isEmpty()) {
                    // JShell names a snippet's frame by the snippet's id ("#16") in place of a file.
                    traceback.add("\tat the cell (snippet " + frame.getFileName() + ", line " + frame.getLineNumber()
                            + ")");
                } else if (!where.startsWith("jdk.jshell.") && !where.startsWith("jdk.internal.")
                        && !where.startsWith("java.lang.reflect.")) {
                    traceback.add("\tat " + frame);
                }
            }
            cause = cause.getCause();
        }
        return new CellOutcome.Failed(ename, evalue, traceback);
    }

    private CellOutcome rejected(Snippet snippet) {
        List<String> traceback = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        String source = snippet.source();
        jshell.diagnostics(snippet).filter(Diag::isError).forEach(diag -> {
            String message = diag.getMessage(Locale.ROOT);
            messages.add(message);
            traceback.add("error: " + message);
            int position = (int) Math.max(0, Math.min(diag.getPosition(), source.length()));
            int lineStart = source.lastIndexOf('\n', position - 1) + 1;
            int lineEnd = source.indexOf('\n', position);
            traceback.add(source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd));
            traceback.add(" ".repeat(position - lineStart) + "^");
        });
        if (messages.isEmpty()) {
            messages.add("JShell rejected '" + source.strip() + "'");
            traceback.add(messages.getFirst());
        }
        return new CellOutcome.Failed("CompilationError", String.join("; ", messages), traceback);
    }

    @Override
    public void close() {
        jshell.close();
    }
}

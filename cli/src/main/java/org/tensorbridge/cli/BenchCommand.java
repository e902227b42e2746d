package org.tensorbridge.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tensorbridge bench}: the benchmark scripts under {@code bench/}. Each builds what it needs, runs the Java
 * benchmark and its Python baseline in the same run and prints the ratio; this command lists them and runs one,
 * passing its output through.
 */
@Command(name = "bench", description = {"List (--list) or run one of the benchmarks under bench/: each runs the Java"
        + " side and its Python baseline in the same run and prints medians and the ratio python/java.",
        "Example: tensorbridge bench scope 3 2000"})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = {"-l", "--list"}, description = "list the benchmarks with what they measure")
    private boolean list;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "the benchmark (bench/NAME.sh)")
    private String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG", description = "passed to the script")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = benchDirectory(main);
        Map<String, Path> scripts = scripts(dir);
        PrintStream out = main.out();
        if (list || name == null) {
            if (!list) {
                throw new UsageException("name a benchmark, or --list to see them: " + String.join(", ", scripts.keySet()));
            }
            for (Map.Entry<String, Path> e : scripts.entrySet()) {
                out.printf("%-16s %s%n", e.getKey(), summary(e.getValue()));
            }
            out.flush();
            return ExitCodes.OK;
        }
        Path script = scripts.get(name.replaceFirst("\\.sh$", ""));
        if (script == null) {
            throw new UsageException("no benchmark '" + name + "': the benchmarks are " + String.join(", ", scripts.keySet()));
        }
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).directory(dir.getParent().toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                out.println(line);
            }
        }
        int exit = process.waitFor();
        out.flush();
        if (exit != 0) {
            throw new IllegalStateException(script.getFileName() + " exited with " + exit + " (its output is above)");
        }
        return ExitCodes.OK;
    }

    /**
     * The repository's {@code bench/}: from the {@code tensorbridge.home} property (the launcher sets it), TB_HOME,
     * or the working directory and its parents.
     */
    static Path benchDirectory(Main main) {
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty("tensorbridge.home", main.environment().get("TB_HOME"));
        if (home != null) {
            candidates.add(Path.of(home));
        }
        for (Path p = main.workingDirectory().toAbsolutePath(); p != null; p = p.getParent()) {
            candidates.add(p);
        }
        for (Path root : candidates) {
            if (Files.isRegularFile(root.resolve("bench").resolve("common.sh"))) {
                return root.resolve("bench");
            }
        }
        throw new EnvironmentException("no bench/ directory (with common.sh) here or above " + main.workingDirectory()
                + ": run from the tensorbridge checkout (./tensorbridge bench) or set TB_HOME to it");
    }

    private static Map<String, Path> scripts(Path dir) throws IOException {
        Map<String, Path> scripts = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".sh") && !p.getFileName().toString().equals("common.sh"))
                    .forEach(p -> scripts.put(p.getFileName().toString().replaceFirst("\\.sh$", ""), p));
        }
        return scripts;
    }

    /** The first sentence of the script's leading comment. */
    static String summary(Path script) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(script, StandardCharsets.UTF_8)) {
            if (line.startsWith("#!")) {
                continue;
            }
            if (!line.startsWith("#")) {
                break;
            }
            text.append(line.substring(1).strip()).append(' ');
        }
        String all = text.toString().strip();
        int end = all.indexOf(". ");
        String first = end > 0 ? all.substring(0, end + 1) : all;
        return first.length() > 150 ? first.substring(0, 147) + "..." : first;
    }
}

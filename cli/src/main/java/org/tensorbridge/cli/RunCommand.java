package org.tensorbridge.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.tensorbridge.dist.ProcessGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tensorbridge run --nproc N -- <program>}: starts N local processes with torchrun's environment (RANK,
 * WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; on one machine also
 * {@value ProcessGroup#STORE_FILE_VARIABLE}, a file store in a private temporary folder), prefixes each line of their
 * output with the rank, and stops them all as soon as one fails (exit code: the first failure's). The program is one
 * of this launcher's own commands ({@code demo}), a Java main class or a {@code .jar} (run on this JVM with this class
 * path plus {@code --cp}), or, after {@code --exec}, any executable (e.g. {@code python3 train.py}).
 */
@Command(name = "run", description = {"Start N local ranks of a program with torchrun's environment (RANK,"
        + " WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; on one machine also"
        + " TENSORBRIDGE_STORE_FILE, a file store in a private folder); prefix their output with the rank;"
        + " stop all when one fails (exit code: the first failure's).",
        "PROGRAM: one of this launcher's commands (demo), a Java main class or a .jar (run on this JVM with this"
        + " class path plus --cp), or after --exec any executable (python3 train.py)."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = {"--nproc", "--nproc-per-node", "--nproc_per_node"}, paramLabel = "N", description = "ranks on this machine (default 1)")
    private int nproc = 1;

    @Option(names = "--nnodes", paramLabel = "M", description = "machines (default 1)")
    private int nnodes = 1;

    @Option(names = {"--node-rank", "--node_rank"}, paramLabel = "R", description = "this machine's number, 0..M-1")
    private int nodeRank;

    @Option(names = {"--master-addr", "--master_addr"}, paramLabel = "ADDR", description = "rank 0's address (default 127.0.0.1)")
    private String addr = "127.0.0.1";

    @Option(names = {"--master-port", "--master_port"}, paramLabel = "PORT", description = "rank 0's store port (default: a free one; needed with --nnodes > 1)")
    private int port;

    @Option(names = "--cp", paramLabel = "PATH", description = "class path added in front of this launcher's")
    private String extraCp;

    @Option(names = "--exec", description = "PROGRAM is an executable, not a Java program")
    private boolean exec;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM", description = "after --: the program and its arguments")
    private List<String> program;

    @Override
    public Integer call() throws Exception {
        PrintStream out = main.out();
        if (nproc < 1 || nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes) {
            throw new UsageException("need --nproc >= 1 and 0 <= --node-rank < --nnodes");
        }
        if (port == 0) {
            if (nnodes > 1) {
                throw new UsageException("with --nnodes > 1 every node needs the same --master-port");
            }
            port = freePort(addr);
        }
        List<String> command = command(program.toArray(String[]::new), exec, extraCp);
        int world = nproc * nnodes;
        List<Process> processes = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        // On one machine the ranks meet through a file store in a private folder: no store listens on a TCP port
        // at all (even a loopback port is open to every local user). Programs that build their own group (Python's
        // env://) still get MASTER_ADDR and MASTER_PORT.
        Path storeDir = nnodes == 1 ? Files.createTempDirectory("tensorbridge-run-") : null;
        try {
            for (int local = 0; local < nproc; local++) {
                int rank = nodeRank * nproc + local;
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
                Map<String, String> env = builder.environment();
                env.put("RANK", String.valueOf(rank));
                env.put("LOCAL_RANK", String.valueOf(local));
                env.put("WORLD_SIZE", String.valueOf(world));
                env.put("LOCAL_WORLD_SIZE", String.valueOf(nproc));
                env.put("GROUP_RANK", String.valueOf(nodeRank));
                env.put("MASTER_ADDR", addr);
                env.put("MASTER_PORT", String.valueOf(port));
                if (storeDir != null) {
                    env.put(ProcessGroup.STORE_FILE_VARIABLE, storeDir.resolve("store").toString());
                }
                Process process = builder.start();
                processes.add(process);
                pumps.add(pump(process, "[rank " + rank + "] ", out));
            }
            return waitAll(processes, out);
        } finally {
            for (Process p : processes) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            for (Thread t : pumps) {
                t.join(5000);
            }
            if (storeDir != null) {
                deleteTree(storeDir);
            }
        }
    }

    /** Waits for every process; on the first failure stops the others and returns its exit code. */
    private static int waitAll(List<Process> processes, PrintStream out) throws InterruptedException {
        List<Process> running = new ArrayList<>(processes);
        while (!running.isEmpty()) {
            for (Process p : List.copyOf(running)) {
                if (p.waitFor(50, TimeUnit.MILLISECONDS)) {
                    running.remove(p);
                    if (p.exitValue() != 0) {
                        int rank = processes.indexOf(p);
                        out.println("tensorbridge run: local rank " + rank + " exited with " + p.exitValue()
                                + "; stopping the other " + running.size() + " rank(s)");
                        for (Process other : running) {
                            other.destroy();
                        }
                        for (Process other : running) {
                            if (!other.waitFor(5, TimeUnit.SECONDS)) {
                                other.destroyForcibly();
                            }
                        }
                        return p.exitValue();
                    }
                }
            }
        }
        return 0;
    }

    private static Thread pump(Process process, String prefix, PrintStream out) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (out) {
                        out.println(prefix + line);
                    }
                }
            } catch (IOException e) {
                // the process went away: nothing more to print
            }
        });
    }

    private static List<String> command(String[] program, boolean exec, String extraCp) {
        if (exec) {
            return List.of(program);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        if (extraCp != null) {
            cp = extraCp + File.pathSeparator + cp;
        }
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        String opts = System.getenv("TB_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            command.addAll(List.of(opts.trim().split("\\s+")));
        }
        if (program[0].endsWith(".jar")) {
            command.addAll(List.of("-cp", cp, "-jar"));
        } else if (program[0].contains(".")) {
            command.addAll(List.of("-cp", cp));  // a main class
        } else {
            command.addAll(List.of("-cp", cp, Main.class.getName()));  // one of this launcher's commands
        }
        command.addAll(List.of(program));
        return command;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort(String addr) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(addr))) {
            return socket.getLocalPort();
        }
    }
}

package org.tensorbridge.dist;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The second rank of the multi-process tests, run as a child JVM:
 * {@code DistWorker <scenario> <rank> <world> <file:PATH | tcp:HOST:PORT> <timeoutMillis>}. Exits 0 on success, 1 on
 * a failed check or error (printed), and prints "joined" once in the group.
 */
public final class DistWorker {
    private DistWorker() {
    }

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        int rank = Integer.parseInt(args[1]);
        int world = Integer.parseInt(args[2]);
        String store = args[3];
        Duration timeout = Duration.ofMillis(Long.parseLong(args[4]));
        try (ProcessGroup group = open(scenario, store, rank, world, timeout)) {
            System.out.println("joined");
            System.out.flush();
            switch (scenario) {
                case "collectives" -> Scenarios.collectives(group);
                case "anyworld" -> Scenarios.anyWorld(group);
                case "ddp" -> System.out.println("max diff " + Scenarios.parity(group, Long.parseLong(args[5])));
                case "train" -> System.out.println("max diff " + TrainingScenario.parity(group, args[5]));
                case "die" -> {
                    group.barrier();
                    System.out.println("dying");
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
                case "nccl" -> Scenarios.nccl(group);
                case "barrier" -> {
                    group.barrier();
                    group.barrier();
                }
                case "hang" -> {
                    group.barrier();
                    System.out.println("hanging");
                    System.out.flush();
                    Thread.sleep(600_000);
                }
                default -> throw new IllegalArgumentException(scenario);
            }
            System.out.println("ok");
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static ProcessGroup open(String scenario, String store, int rank, int world, Duration timeout) {
        if (store.startsWith("file:")) {
            return ProcessGroup.file(Path.of(store.substring(5)), rank, world, timeout);
        }
        String[] parts = store.substring(4).split(":");
        if (scenario.equals("nccl")) {
            return ProcessGroup.nccl(parts[0], Integer.parseInt(parts[1]), rank, world, timeout);
        }
        return ProcessGroup.tcp(parts[0], Integer.parseInt(parts[1]), rank, world, timeout);
    }
}

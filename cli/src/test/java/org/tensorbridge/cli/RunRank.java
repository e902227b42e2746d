package org.tensorbridge.cli;

import org.tensorbridge.dist.ProcessGroup;
import org.tensorbridge.torch.Tensor;

/** A rank for RunCommandTest: joins the group from the environment and all-reduces its rank + 1; "fail" makes rank 1 exit 7. */
public final class RunRank {
    private RunRank() {
    }

    public static void main(String[] args) throws Exception {
        int rank = Integer.parseInt(System.getenv("RANK"));
        if (args.length > 0 && args[0].equals("fail")) {
            if (rank == 1) {
                System.out.println("failing on purpose");
                System.exit(7);
            }
            Thread.sleep(120_000);
            return;
        }
        try (ProcessGroup group = ProcessGroup.fromEnvironment(); Tensor t = Tensor.of(new float[] {rank + 1}, 1)) {
            group.allReduce(t);
            System.out.println("local " + System.getenv("LOCAL_RANK") + " of " + group.worldSize() + " sum " + t.item()
                    + " store " + (System.getenv(ProcessGroup.STORE_FILE_VARIABLE) == null ? "tcp" : "file"));
        }
    }
}

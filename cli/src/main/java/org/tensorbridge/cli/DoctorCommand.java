package org.tensorbridge.cli;

import java.io.PrintStream;
import org.tensorbridge.torch.Doctor;

/** {@code tensorbridge doctor}: is libtorch usable, and is CUDA? Exit 0 when the library works. */
final class DoctorCommand implements Main.Command {
    @Override
    public int run(String[] args, PrintStream out) {
        boolean requireCuda = java.util.Arrays.asList(args).contains("--require-cuda");
        Doctor.Report report = Doctor.check();
        out.print(report.format());
        if (!report.libraryWorks()) {
            return 1;
        }
        return requireCuda && !report.cudaAvailable() ? 3 : 0;
    }

    @Override
    public String summary() {
        return "check libtorch and CUDA (exit 1: library unusable; with --require-cuda, exit 3: no CUDA)";
    }
}

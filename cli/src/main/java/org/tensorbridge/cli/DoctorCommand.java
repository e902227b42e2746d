package org.tensorbridge.cli;

import java.util.concurrent.Callable;
import org.tensorbridge.torch.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code tensorbridge doctor}: is libtorch usable, and is CUDA? Exit 0 when the library works. */
@Command(name = "doctor", description = "Check Java, the native shim, libtorch and CUDA; say why CUDA is not usable."
        + " Exit 1 when the library does not work; with --require-cuda, 3 when CUDA is not usable.")
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--require-cuda", description = "exit 3 unless CUDA is usable")
    private boolean requireCuda;

    @Override
    public Integer call() {
        Doctor.Report report = Doctor.check();
        main.out().print(report.format());
        main.out().flush();
        if (!report.libraryWorks()) {
            return ExitCodes.FAILURE;
        }
        return requireCuda && !report.cudaAvailable() ? ExitCodes.ENVIRONMENT : ExitCodes.OK;
    }
}

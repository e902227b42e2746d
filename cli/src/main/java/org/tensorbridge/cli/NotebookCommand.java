package org.tensorbridge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.tensorbridge.notebook.ClassPath;
import org.tensorbridge.notebook.KernelSpec;
import org.tensorbridge.notebook.NotebookRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tensorbridge notebook}: Jupyter with the tensorbridge kernel. {@code --install} writes the kernelspec,
 * {@code --execute NB.ipynb} runs a notebook headless (as CI does), no option starts Jupyter Notebook.
 */
@Command(name = "notebook",
        description = {"Jupyter notebooks in Java with the tensorbridge kernel.",
                "No option: install the kernel for this user and start Jupyter Notebook."})
public final class NotebookCommand implements Callable<Integer> {
    @Option(names = "--install", description = "install the kernelspec 'tensorbridge' (for this build) and exit")
    boolean install;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Jupyter data directory to install into (default: $JUPYTER_DATA_DIR or ~/.local/share/jupyter)")
    Path dataDir;

    @Option(names = "--execute", paramLabel = "NB.ipynb",
            description = "run the notebook headless (jupyter nbconvert --execute) with the tensorbridge kernel")
    Path execute;

    @Option(names = "--output", paramLabel = "OUT.ipynb",
            description = "where --execute writes the executed notebook (default: NB.nbconvert.ipynb beside it)")
    Path output;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "longest time one cell may run under --execute (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (install && execute != null) {
            err.println("choose one: --install or --execute (--execute uses a temporary kernelspec of its own)");
            return 2;
        }
        if (execute != null) {
            return execute(out, err);
        }
        Path installed = KernelSpec.install(dataDir != null ? dataDir : KernelSpec.userDataDir(),
                ClassPath.ofRunningApplication());
        out.println("installed the Jupyter kernel '" + KernelSpec.NAME + "' in " + installed);
        if (install) {
            out.println("choose the kernel \"Java (tensorbridge)\" in Jupyter, or run: tensorbridge notebook");
            return 0;
        }
        Path jupyterNotebook = NotebookRunner.onPath("jupyter-notebook");
        if (jupyterNotebook == null) {
            err.println("Jupyter Notebook is not installed: apt-get install jupyter-notebook (Debian/Ubuntu; or "
                    + "pip install notebook), then run tensorbridge notebook again. To run notebooks headless "
                    + "instead: apt-get install " + NotebookRunner.APT_PACKAGES + " and tensorbridge notebook "
                    + "--execute NB.ipynb");
            return 1;
        }
        return new ProcessBuilder(jupyterNotebook.toString()).inheritIO().start().waitFor();
    }

    private int execute(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        if (!java.nio.file.Files.isRegularFile(execute)) {
            err.println("no notebook at " + execute.toAbsolutePath() + ": give the path of an .ipynb file");
            return 2;
        }
        if (!NotebookRunner.nbconvertAvailable()) {
            err.println("jupyter nbconvert is not installed: apt-get install " + NotebookRunner.APT_PACKAGES
                    + " (scripts/setup.sh installs them)");
            return 1;
        }
        Path target = output != null ? output : defaultOutput(execute);
        NotebookRunner.Result result = NotebookRunner.execute(execute, target, ClassPath.ofRunningApplication(),
                Duration.ofSeconds(timeoutSeconds));
        if (result.exitCode() != 0) {
            err.print(result.log());
            err.println("tensorbridge notebook: executing " + execute + " failed (nbconvert exit " + result.exitCode()
                    + "; its log is above)");
            return 1;
        }
        out.println("executed " + execute + " -> " + target);
        return 0;
    }

    private static Path defaultOutput(Path notebook) {
        String name = notebook.getFileName().toString();
        String stem = name.endsWith(".ipynb") ? name.substring(0, name.length() - ".ipynb".length()) : name;
        return notebook.toAbsolutePath().resolveSibling(stem + ".nbconvert.ipynb");
    }
}

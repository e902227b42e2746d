package org.tensorbridge.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.checkpoint.Checkpoints;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.ndarray.io.NpzFile;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tensorbridge convert IN OUT}: a flat map of named tensors between .npz, safetensors and torch.save state
 * dicts (and a single .npy in). Names, dtypes, shapes and values carry over exactly; the order of the names too,
 * except through safetensors, whose writers order entries by dtype and name (as Python's does). A torch.save
 * file holding a full checkpoint converts its {@code model} / {@code state_dict} entry.
 */
@Command(name = "convert", description = {"Convert named tensors between .npz, .safetensors and torch.save state dicts"
        + " (.pt/.pth); a .npy converts to one tensor named after the file.",
        "The input's format is read from its content, the output's from its extension or --to."})
final class ConvertCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(index = "0", paramLabel = "IN", description = "the file to read")
    private Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "the file to write")
    private Path output;

    @Option(names = "--to", paramLabel = "npz|safetensors|torch", description = "the output format (default: from OUT's"
            + " extension)")
    private String to;

    @Option(names = {"-f", "--force"}, description = "replace OUT if it exists")
    private boolean force;

    @Override
    public Integer call() throws IOException {
        Path input = main.workingDirectory().resolve(this.input);
        Path output = main.workingDirectory().resolve(this.output);
        if (!Files.isRegularFile(input)) {
            throw new EnvironmentException(input + ": no such file");
        }
        if (Files.exists(output) && !force) {
            throw new UsageException(output + " exists: pass --force to replace it");
        }
        FileFormat from = FileFormat.of(input);
        FileFormat target = FileFormat.named(to != null ? to : output.getFileName().toString());
        if (target == FileFormat.NPY) {
            throw new UsageException("a .npy holds one array; convert to .npz, .safetensors or .pt");
        }
        try (Scope scope = Scope.open(); GradMode noGrad = GradMode.disabled()) {
            Map<String, Tensor> tensors = read(input, from);
            write(output, target, tensors);
            long bytes = tensors.values().stream().mapToLong(t -> t.numel() * t.dtype().byteSize()).sum();
            main.out().printf("%s (%s) -> %s (%s): %d tensors, %d bytes of data%n", input, from.label(), output,
                    target.label(), tensors.size(), bytes);
            main.out().flush();
        }
        return ExitCodes.OK;
    }

    /** The file's tensors, in file order, as CPU tensors of the current scope. */
    private static Map<String, Tensor> read(Path path, FileFormat format) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        switch (format) {
            case NPY -> {
                String name = path.getFileName().toString().replaceFirst("\\.npy$", "");
                tensors.put(name, Bridge.copyFromArray(NpyFile.read(path)));
            }
            case NPZ -> NpzFile.read(path).forEach((name, array) -> tensors.put(name, Bridge.copyFromArray(array)));
            case SAFETENSORS -> tensors.putAll(Checkpoints.loadSafetensors(path));
            case TORCH -> tensors.putAll(Checkpoints.loadStateDict(path));
        }
        return tensors;
    }

    private static void write(Path path, FileFormat format, Map<String, Tensor> tensors) throws IOException {
        switch (format) {
            case NPZ -> {
                Map<String, NDArray> arrays = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                    if (e.getValue().dtype() == DType.BFLOAT16) {
                        throw new UsageException("'" + e.getKey() + "' is bfloat16, which NumPy has no dtype for: convert"
                                + " to .safetensors or .pt instead (or cast it to float32 first)");
                    }
                    arrays.put(e.getKey(), Bridge.toArray(e.getValue().to(Device.CPU).contiguous()));
                }
                NpzFile.write(path, arrays, false);  // atomic, as np.savez (stored: entries map without a copy)
            }
            case SAFETENSORS -> Checkpoints.saveSafetensors(path, tensors);
            case TORCH -> Checkpoints.save(path, tensors);
            case NPY -> throw new IllegalStateException("checked by the caller");
        }
    }
}

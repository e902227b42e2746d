package org.tensorbridge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorbridge.checkpoint.CheckpointException;
import org.tensorbridge.checkpoint.Checkpoints;
import org.tensorbridge.ndarray.io.ArrayFileFormatException;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.ndarray.io.NpyHeader;
import org.tensorbridge.ndarray.io.NpzArchive;
import org.tensorbridge.ndarray.io.NpzFile;
import org.tensorbridge.ndarray.io.SafeTensors;
import org.tensorbridge.ndarray.io.SafeTensorsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tensorbridge inspect FILE...}: what a .npy, .npz, .safetensors or torch.save file holds (dtype, shape,
 * layout), from the headers only: no tensor data is read. One dtype vocabulary, NumPy's names (float32, int64,
 * bfloat16), for every format. Exit 1 when a file is missing or malformed.
 */
@Command(name = "inspect", description = "Show dtype, shape and layout of .npy, .npz, .safetensors and torch.save"
        + " (.pt) files from their headers, without reading the data. Exit 1 when a file is missing or malformed.")
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "files to inspect (format told by content)")
    private List<Path> files;

    @Override
    public Integer call() throws IOException {
        PrintStream out = main.out();
        int status = ExitCodes.OK;
        for (Path name : files) {
            Path path = main.workingDirectory().resolve(name);
            out.println(name + ":");
            try {
                if (!Files.isRegularFile(path)) {
                    out.println("  no such file");
                    status = ExitCodes.FAILURE;
                    continue;
                }
                switch (FileFormat.of(path)) {
                    case NPY -> inspectNpy(path, out);
                    case NPZ -> inspectNpz(path, out);
                    case SAFETENSORS -> inspectSafeTensors(path, out);
                    case TORCH -> inspectTorch(path, out);
                }
            } catch (ArrayFileFormatException | CheckpointException e) {
                out.println("  malformed: " + e.getMessage());
                status = ExitCodes.FAILURE;
            }
        }
        out.flush();
        return status;
    }

    private static void inspectNpy(Path path, PrintStream out) throws IOException {
        NpyHeader header = NpyFile.readHeader(path);
        out.printf("  npy %d.%d  dtype %s (descr '%s')  shape %s  %s order  %d bytes of data%n", header.majorVersion(),
                header.minorVersion(), header.dtype().numpyName(), header.descr(), Arrays.toString(header.shape()),
                header.fortranOrder() ? "Fortran" : "C", header.dataBytes());
    }

    private static void inspectNpz(Path path, PrintStream out) throws IOException {
        try (NpzArchive archive = NpzFile.open(path)) {
            out.printf("  npz, %d arrays%n", archive.names().size());
            for (String entry : archive.names()) {
                NpyHeader header = archive.header(entry);  // headers only: no entry is inflated or copied
                out.printf("  %-24s dtype %-10s shape %-16s %s%n", entry, header.dtype().numpyName(),
                        Arrays.toString(header.shape()), archive.isMemoryMapped(entry) ? "memory-mapped"
                                : "copied (deflated or unaligned)");
            }
        }
    }

    private static void inspectSafeTensors(Path path, PrintStream out) throws IOException {
        try (SafeTensors file = SafeTensorsFile.open(path)) {
            out.printf("  safetensors, %d tensors%n", file.names().size());
            for (Map.Entry<String, String> meta : file.metadata().entrySet()) {
                out.printf("  metadata %s = %s%n", meta.getKey(), meta.getValue());
            }
            for (String name : file.names()) {
                SafeTensors.TensorInfo info = file.info(name);
                String dtype = info.dtype() != null ? info.dtype().numpyName() : info.dtypeName();
                out.printf("  %-24s dtype %-10s shape %-16s bytes [%d, %d) (%s)%n", name, dtype,
                        Arrays.toString(info.shape()), info.begin(), info.end(), info.dtypeName());
            }
        }
    }

    private static void inspectTorch(Path path, PrintStream out) throws IOException {
        Object root = Checkpoints.describe(path);  // the pickle only: no storage record is read
        out.println("  torch.save checkpoint (the pickle only; torch.load(path, weights_only=True) reads it)");
        describe("", root, out);
    }

    private static void describe(String key, Object value, PrintStream out) {
        if (value instanceof Checkpoints.TensorHeader t) {
            out.printf("  %-32s dtype %-10s shape %-16s storage %s%n", key, t.dtype().numpyName(),
                    Arrays.toString(t.shape()), t.storageKey());
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.printf("  %-32s {}%n", key);
            }
            map.forEach((k, v) -> describe(key.isEmpty() ? String.valueOf(k) : key + "." + k, v, out));
        } else if (value instanceof List<?> list && list.stream().anyMatch(v -> v instanceof Map || v instanceof List
                || v instanceof Checkpoints.TensorHeader)) {
            for (int i = 0; i < list.size(); i++) {
                describe(key + "[" + i + "]", list.get(i), out);
            }
        } else {
            String text = String.valueOf(value);
            out.printf("  %-32s = %s%n", key.isEmpty() ? "(value)" : key, text.length() > 120 ? text.substring(0, 117) + "..." : text);
        }
    }
}

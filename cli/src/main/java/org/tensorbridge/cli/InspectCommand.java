package org.tensorbridge.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.tensorbridge.ndarray.io.ArrayFileFormatException;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.ndarray.io.NpyHeader;
import org.tensorbridge.ndarray.io.NpzArchive;
import org.tensorbridge.ndarray.io.NpzFile;
import org.tensorbridge.ndarray.io.SafeTensors;
import org.tensorbridge.ndarray.io.SafeTensorsFile;

/**
 * {@code tensorbridge inspect FILE...}: what a .npy, .npz or .safetensors file holds (dtype, shape, layout,
 * whether it maps without a copy), without reading the data. Exit 1 when a file is malformed.
 */
final class InspectCommand implements Main.Command {
    @Override
    public int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0) {
            out.println("usage: tensorbridge inspect FILE.npy|FILE.npz|FILE.safetensors ...");
            return 2;
        }
        int status = 0;
        for (String name : args) {
            Path path = Path.of(name);
            out.println(path + ":");
            try {
                if (!Files.isRegularFile(path)) {
                    out.println("  no such file");
                    status = 1;
                } else if (name.endsWith(".npz")) {
                    inspectNpz(path, out);
                } else if (name.endsWith(".safetensors")) {
                    inspectSafeTensors(path, out);
                } else {
                    inspectNpy(path, out);
                }
            } catch (ArrayFileFormatException e) {
                out.println("  malformed: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    private static void inspectNpy(Path path, PrintStream out) throws Exception {
        NpyHeader header = NpyFile.readHeader(path);
        out.printf("  npy %d.%d  dtype %s (descr '%s')  shape %s  %s order  %d bytes of data%n", header.majorVersion(),
                header.minorVersion(), header.dtype().numpyName(), header.descr(), Arrays.toString(header.shape()),
                header.fortranOrder() ? "Fortran" : "C", header.dataBytes());
    }

    private static void inspectNpz(Path path, PrintStream out) throws Exception {
        try (NpzArchive archive = NpzFile.open(path)) {
            for (String entry : archive.names()) {
                NpyHeader header = archive.header(entry);  // headers only: no entry is inflated or copied
                out.printf("  %-24s dtype %-10s shape %-16s %s%n", entry, header.dtype().numpyName(),
                        Arrays.toString(header.shape()), archive.isMemoryMapped(entry) ? "memory-mapped"
                                : "copied (deflated or unaligned)");
            }
        }
    }

    private static void inspectSafeTensors(Path path, PrintStream out) throws Exception {
        try (SafeTensors file = SafeTensorsFile.open(path)) {
            for (Map.Entry<String, String> meta : file.metadata().entrySet()) {
                out.printf("  metadata %s = %s%n", meta.getKey(), meta.getValue());
            }
            for (String name : file.names()) {
                SafeTensors.TensorInfo info = file.info(name);
                out.printf("  %-24s dtype %-5s shape %-16s bytes [%d, %d)%n", name, info.dtypeName(),
                        Arrays.toString(info.shape()), info.begin(), info.end());
            }
        }
    }

    @Override
    public String summary() {
        return "show dtype, shape and layout of .npy / .npz / .safetensors files";
    }
}

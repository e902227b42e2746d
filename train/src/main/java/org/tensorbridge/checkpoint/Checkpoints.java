package org.tensorbridge.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.SafeTensorsFile;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * Checkpoints Python reads and writes, in pure Java:
 * <ul>
 *   <li>{@link #save}/{@link #load}: torch.save's zip format (a STORED zip of {@code archive/data.pkl},
 *       {@code archive/data/<n>} storage records and {@code archive/version}), which
 *       {@code torch.load(path, weights_only=True)} reads on torch 1.13 and 2.x; and what Python's torch.save
 *       writes. (torch 1.13's weights_only reader has no opcode for floats, so there a checkpoint holding
 *       floats — optimizer settings, as Python's own — needs weights_only=False; state dicts of tensors and
 *       ints load with weights_only=True on both.) Reading never runs code: only tensor rebuilds, storages, OrderedDict, plain containers and
 *       scalars are accepted, any other global is refused with its name ({@link UnsafeCheckpointException}).</li>
 *   <li>{@link #saveSafetensors}/{@link #loadSafetensors}: a flat map of tensors in the safetensors format.</li>
 * </ul>
 * Writes are atomic: the file is written beside the target, forced to disk and renamed over it, so a crash
 * or a full disk never replaces a good checkpoint with half a file.
 *
 * <p>What can be saved: tensors (any device; written from the CPU), numbers, strings, booleans, null, lists,
 * maps, and {@code double[]}/{@code long[]} (saved as tuples). A map of tensors is written as an OrderedDict,
 * as module state dicts are. A full checkpoint is a map such as {@code {"model": model.stateDict(),
 * "optimizer": optimizer.stateDict(), "scheduler": scheduler.stateDict(), "scaler": scaler.stateDict()}}.
 *
 * <p>Tensors read back are new CPU tensors owned by the current scope (or the caller).
 */
public final class Checkpoints {
    private static final String STEM = "archive";
    private static final Op AS_STRIDED = Op.of("aten::as_strided");

    private Checkpoints() {
    }

    // ---------------------------------------------------------------- torch.save format

    /** Writes {@code object} as torch.save would, atomically. */
    public static void save(Path path, Object object) throws IOException {
        List<Tensor> storages = new ArrayList<>();
        Map<Tensor, Integer> keys = new IdentityHashMap<>();
        byte[] pickle = new PickleWriter(t -> keys.computeIfAbsent(t, k -> {
            storages.add(k);
            return storages.size() - 1;
        })).dump(object);
        writeAtomically(path, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.setMethod(ZipOutputStream.STORED);
                putStored(zip, STEM + "/data.pkl", pickle);
                for (int i = 0; i < storages.size(); i++) {
                    putStored(zip, STEM + "/data/" + i, bytesOf(storages.get(i)));
                }
                putStored(zip, STEM + "/version", "3\n".getBytes());
            }
        });
    }

    private static void putStored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        entry.setTime(315532800000L);  // a fixed time: the same checkpoint gives the same bytes
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** The bytes of a tensor's values, contiguous, little-endian, on the CPU. */
    static byte[] bytesOf(Tensor tensor) {
        try (Scope scope = Scope.open(); GradMode noGrad = GradMode.disabled()) {
            Tensor cpu = tensor.detach().to(Device.CPU).contiguous();
            long size = cpu.numel() * cpu.elementSize();
            if (size > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("a tensor of " + size + " bytes is too large for this writer (2 GB per tensor)");
            }
            byte[] bytes = new byte[(int) size];
            if (size > 0) {
                MemorySegment data = MemorySegment.ofAddress(cpu.dataAddress()).reinterpret(size);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) size);
            }
            return bytes;
        }
    }

    /** A new CPU tensor of {@code dtype} holding {@code bytes} (little-endian values). */
    static Tensor tensorOf(byte[] bytes, DType dtype, long numel) {
        Tensor t = Tensor.empty(TensorOptions.of(dtype), numel);
        if (bytes.length > 0) {
            MemorySegment data = MemorySegment.ofAddress(t.dataAddress()).reinterpret(bytes.length);
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }
        return t;
    }

    /**
     * Reads a torch.save file (ours or Python's) without running code. Returns maps (LinkedHashMap), lists,
     * tuples (unmodifiable lists), Long, Double, String, Boolean, null and tensors; the tensors belong to the
     * current scope (or the caller).
     */
    public static Object load(Path path) throws IOException {
        ZipFile zip = openZip(path);
        try (zip; Scope loadScope = Scope.open()) {
            String prefix = stemOf(zip, path);
            byte[] pickle = read(zip, path, prefix + "/data.pkl");
            Map<String, Tensor> bases = new HashMap<>();
            List<Tensor> results = new ArrayList<>();
            PickleReader reader = new PickleReader(pickle, path + " (" + prefix + "/data.pkl)",
                    (key, dtype, numel, at) -> {
                        Tensor base = bases.get(key);
                        if (base == null) {
                            byte[] bytes = read(zip, path, prefix + "/data/" + key);
                            long expected = numel * elementSize(dtype);
                            if (bytes.length != expected) {
                                throw new CheckpointException(path + ": storage record data/" + key + " has " + bytes.length
                                        + " bytes, the pickle expects " + expected + " (" + numel + " x " + dtype.torchName()
                                        + "): the checkpoint is truncated or corrupt");
                            }
                            base = tensorOf(bytes, dtype, numel);
                            bases.put(key, base);
                        }
                        return base;
                    },
                    (storage, offset, size, stride, requiresGrad) -> {
                        Tensor base = (Tensor) storage;
                        long needed = offset;
                        for (int i = 0; i < size.length; i++) {
                            needed += size[i] == 0 ? 0 : (size[i] - 1) * stride[i];
                        }
                        if (size.length != stride.length || offset < 0 || (base.numel() > 0 && needed >= base.numel())
                                && numelOf(size) > 0) {
                            throw new CheckpointException(path + ": a tensor of size " + java.util.Arrays.toString(size)
                                    + " and stride " + java.util.Arrays.toString(stride) + " at offset " + offset
                                    + " does not fit its storage of " + base.numel() + " elements");
                        }
                        Tensor t = AS_STRIDED.apply(base, size, stride, offset);
                        if (requiresGrad) {
                            t.requiresGrad(true);
                        }
                        results.add(t);
                        return t;
                    });
            Object result = reader.load();
            for (Tensor t : results) {
                loadScope.keep(t);
            }
            return result;
        }
    }

    /**
     * What a torch.save file holds, without reading any tensor data: the same structure {@link #load} returns,
     * with a {@link TensorHeader} where {@code load} would give a tensor. For inspecting large checkpoints.
     */
    public static Object describe(Path path) throws IOException {
        ZipFile zip = openZip(path);
        try (zip) {
            String prefix = stemOf(zip, path);
            byte[] pickle = read(zip, path, prefix + "/data.pkl");
            return new PickleReader(pickle, path + " (" + prefix + "/data.pkl)",
                    (key, dtype, numel, at) -> new StorageHeader(key, dtype, numel),
                    (storage, offset, size, stride, requiresGrad) -> {
                        StorageHeader header = (StorageHeader) storage;
                        return new TensorHeader(header.dtype(), size.clone(), stride.clone(), offset, header.key());
                    }).load();
        }
    }

    /** A tensor in a checkpoint described by {@link #describe}: dtype, shape, strides and its storage record. */
    public record TensorHeader(DType dtype, long[] shape, long[] stride, long storageOffset, String storageKey) {
        /** Elements in the tensor. */
        public long numel() {
            return numelOf(shape);
        }
    }

    private record StorageHeader(String key, DType dtype, long numel) {
    }

    private static ZipFile openZip(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        try {
            return new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new CheckpointException(path + " is not a torch.save checkpoint (a zip archive): it is truncated or corrupt ("
                    + e.getMessage() + "); legacy (pre-1.6, non-zip) checkpoints are not supported", e);
        }
    }

    /** The archive's record prefix (the {@code <stem>} of {@code <stem>/data.pkl}), after checking the byte order. */
    private static String stemOf(ZipFile zip, Path path) throws CheckpointException {
        String stem = null;
        for (var entries = zip.entries(); entries.hasMoreElements(); ) {
            String name = entries.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                stem = name.substring(0, name.length() - "/data.pkl".length());
                break;
            }
        }
        if (stem == null) {
            throw new CheckpointException(path + " is a zip but not a torch.save checkpoint: it has no <name>/data.pkl record");
        }
        if (zip.getEntry(stem + "/byteorder") != null) {
            String order = new String(read(zip, path, stem + "/byteorder")).trim();
            if (!order.equals("little")) {
                throw new CheckpointException(path + " stores its tensors " + order + "-endian; only little-endian"
                        + " checkpoints are read (re-save it on a little-endian machine)");
            }
        }
        return stem;
    }

    private static long numelOf(long[] size) {
        long n = 1;
        for (long s : size) {
            n *= s;
        }
        return n;
    }

    private static long elementSize(DType dtype) {
        return switch (dtype) {
            case FLOAT64, INT64 -> 8;
            case FLOAT32, INT32 -> 4;
            case FLOAT16, BFLOAT16, INT16 -> 2;
            default -> 1;
        };
    }

    private static byte[] read(ZipFile zip, Path path, String name) throws CheckpointException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new CheckpointException(path + ": the record " + name + " is missing: the checkpoint is truncated or corrupt");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readAllBytes();
            CRC32 crc = new CRC32();
            crc.update(bytes);
            if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
                throw new CheckpointException(path + ": the record " + name + " fails its CRC check: the checkpoint is corrupt");
            }
            return bytes;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read the record " + name + " (" + e.getMessage()
                    + "): the checkpoint is truncated or corrupt", e);
        }
    }

    /**
     * A state dict (name -> tensor) from a torch.save file: the object itself, or the map under
     * {@code "state_dict"} / {@code "model"} when the file holds a full checkpoint.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Tensor> loadStateDict(Path path) throws IOException {
        Object o = load(path);
        if (o instanceof Map<?, ?> m) {
            for (String key : List.of("state_dict", "model")) {
                if (m.get(key) instanceof Map<?, ?> inner && !m.values().stream().allMatch(v -> v instanceof Tensor)) {
                    return (Map<String, Tensor>) inner;
                }
            }
            if (m.values().stream().allMatch(v -> v instanceof Tensor)) {
                return (Map<String, Tensor>) m;
            }
        }
        throw new CheckpointException(path + " holds a " + (o == null ? "None" : o.getClass().getSimpleName())
                + ", not a state dict (a map of names to tensors)");
    }

    // ---------------------------------------------------------------- safetensors

    /** Writes {@code tensors} (and optional string metadata) as a safetensors file, atomically. */
    public static void saveSafetensors(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        try (Scope scope = Scope.open(); GradMode noGrad = GradMode.disabled()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                arrays.put(e.getKey(), Bridge.toArray(e.getValue().detach().to(Device.CPU).contiguous()));
            }
            Path tmp = tempBeside(path);
            try {
                SafeTensorsFile.write(tmp, arrays, metadata);
                force(tmp);
                move(tmp, path);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static void saveSafetensors(Path path, Map<String, Tensor> tensors) throws IOException {
        saveSafetensors(path, tensors, null);
    }

    /** Reads a safetensors file into new CPU tensors (owned by the current scope or the caller), in file order. */
    public static Map<String, Tensor> loadSafetensors(Path path) throws IOException {
        Map<String, Tensor> result = new LinkedHashMap<>();
        Map<String, NDArray> arrays = SafeTensorsFile.read(path);
        try {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                result.put(e.getKey(), Bridge.copyFromArray(e.getValue()));
            }
        } finally {
            arrays.values().forEach(NDArray::close);
        }
        return result;
    }

    // ---------------------------------------------------------------- atomic writes

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes to a temporary file beside {@code path}, forces it to disk, then renames it over {@code path}. */
    static void writeAtomically(Path path, Writer writer) throws IOException {
        Path tmp = tempBeside(path);
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 20)) {
                writer.write(out);
            }
            force(tmp);
            move(tmp, path);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path tempBeside(Path path) {
        Path abs = path.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    private static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void move(Path tmp, Path path) throws IOException {
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

package org.tensorbridge.ndarray.io;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorbridge.ndarray.NDArray;

/** A file of named arrays, opened lazily: an {@code .npz} archive or a safetensors file. */
public interface ArrayArchive extends AutoCloseable {
    /** The names of the arrays, in file order. */
    List<String> names();

    /** The named array, owned by the caller; memory-mapped where the format allows. */
    NDArray get(String name) throws IOException;

    @Override
    void close();

    /** Every array of the archive, in file order, each owned by the caller; on failure none is left open. */
    default Map<String, NDArray> readAll() throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try {
            for (String name : names()) {
                out.put(name, get(name));
            }
            return out;
        } catch (IOException | RuntimeException | Error e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
    }
}

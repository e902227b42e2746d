package org.tensorbridge.torch;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.tensorbridge.torch.internal.ScriptHandle;
import org.tensorbridge.torch.internal.TensorHandle;

/**
 * A TorchScript module that Python scripted or traced ({@code torch.jit.script(m).save(path)} or
 * {@code torch.jit.trace(m, x).save(path)}), loaded in eval mode, run with {@link #forward}.
 *
 * <p><b>A TorchScript file is code.</b> Loading one runs nothing by itself, but {@link #forward} runs whatever
 * program its author wrote (TorchScript can read and write files, for one). Load only files whose author
 * you trust; for weights from anyone else, use a state dict (safetensors, or a torch.save state dict read
 * with the checkpoint reader, which refuses code).
 */
public final class ScriptModule implements AutoCloseable {
    private final ScriptHandle handle;
    private final Path path;
    private boolean closed;

    private ScriptModule(ScriptHandle handle, Path path) {
        this.handle = handle;
        this.path = path;
    }

    /** Loads {@code path} onto the devices it was saved for. Trusts its author: see the class comment. */
    public static ScriptModule loadTrusted(Path path) throws NoSuchFileException {
        return load(path, -1, -1);
    }

    /** Loads {@code path} with every tensor on {@code device} (like {@code torch.jit.load(path, map_location)}). */
    public static ScriptModule loadTrusted(Path path, Device device) throws NoSuchFileException {
        return load(path, device.type().code(), device.index());
    }

    private static ScriptModule load(Path path, int type, int index) throws NoSuchFileException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString());
        }
        try {
            return new ScriptModule(ScriptHandle.load(path.toAbsolutePath().toString(), type, index), path);
        } catch (TorchException e) {
            throw new TorchException(path + " is not a TorchScript module this libtorch (" + Torch.version()
                    + ") can load: " + e.getMessage() + " (save it with torch.jit.script(model).save(path), from a"
                    + " torch no newer than this libtorch)", e);
        }
    }

    /** Runs forward on {@code inputs}; the result is a new tensor (owned by the current scope or the caller). */
    public Tensor forward(Tensor... inputs) {
        if (closed) {
            throw new IllegalStateException("the script module " + path + " was closed");
        }
        TensorHandle[] handles = new TensorHandle[inputs.length];
        int begun = 0;
        try {
            for (Tensor t : inputs) {
                handles[begun] = t.beginUse();
                begun++;
            }
            return Tensor.own(handle.forward(handles));
        } finally {
            for (int i = 0; i < begun; i++) {
                inputs[i].endUse();
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            handle.free();
        }
    }
}

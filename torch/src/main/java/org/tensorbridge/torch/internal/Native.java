package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The one place that loads the shim and holds its {@code MethodHandle}s. Every method returns Java
 * values and turns a non-zero status into an exception ({@link Status}); tensor handles appear only as
 * {@link MemorySegment}s inside this package and {@link TensorHandle}.
 */
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final NativeLibrary LIBRARY = NativeLibrary.load();
    // Short calls that never block nor call back into Java may skip the thread-state transition.
    private static final Linker.Option[] CRITICAL = {Linker.Option.critical(false)};
    private static final Linker.Option[] NORMAL = {};

    static final MethodHandle LAST_ERROR = fn("tb_last_error", FunctionDescriptor.of(ADDRESS), CRITICAL);
    static final MethodHandle TORCH_VERSION = fn("tb_torch_version", FunctionDescriptor.of(ADDRESS), CRITICAL);
    static final MethodHandle BUILT_WITH_CUDA = fn("tb_built_with_cuda", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    static final MethodHandle DTYPE_CODE = fn("tb_dtype_code", FunctionDescriptor.of(JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle TENSOR_FREE = fn("tb_tensor_free", status(ADDRESS), NORMAL);
    static final MethodHandle TENSOR_SHARE = fn("tb_tensor_share", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle TENSOR_META = fn("tb_tensor_meta", status(ADDRESS, ADDRESS), CRITICAL);
    static final MethodHandle TENSOR_SHAPE = fn("tb_tensor_shape", status(ADDRESS, ADDRESS, ADDRESS, JAVA_INT), CRITICAL);
    static final MethodHandle TENSOR_ITEM = fn("tb_tensor_item", status(ADDRESS, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle TENSOR_SAME = fn("tb_tensor_same", status(ADDRESS, ADDRESS, ADDRESS), CRITICAL);
    static final MethodHandle STORAGE_NBYTES = fn("tb_storage_nbytes", status(ADDRESS, ADDRESS), CRITICAL);
    static final MethodHandle FROM_BLOB = fn("tb_from_blob", status(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
            JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle OP_FIND = fn("tb_op_find", status(ADDRESS, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle OP_OVERLOADS = fn("tb_op_overloads", status(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle OP_SCHEMA = fn("tb_op_schema", status(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle OP_NUM_ARGUMENTS = fn("tb_op_num_arguments", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle OP_ARGUMENT = fn("tb_op_argument", status(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG,
            ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle OP_CALL = fn("tb_op_call", status(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle APPLY_THREAD_STATE = fn("tb_apply_thread_state", status(ADDRESS), NORMAL);
    static final MethodHandle SET_NUM_THREADS = fn("tb_set_num_threads", status(JAVA_INT), NORMAL);
    static final MethodHandle NUM_THREADS = fn("tb_num_threads", status(ADDRESS), NORMAL);
    static final MethodHandle RESULT_FREE = fn("tb_result_free", status(ADDRESS), NORMAL);
    static final MethodHandle RESULT_COUNT = fn("tb_result_count", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle RESULT_KIND = fn("tb_result_kind", status(ADDRESS, JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle RESULT_LIST_SIZE = fn("tb_result_list_size", status(ADDRESS, JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle RESULT_TENSOR = fn("tb_result_tensor", status(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle RESULT_INT = fn("tb_result_int", status(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle RESULT_DOUBLE = fn("tb_result_double", status(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle RESULT_STRING = fn("tb_result_string", status(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle SET_REQUIRES_GRAD = fn("tb_set_requires_grad", status(ADDRESS, JAVA_INT), NORMAL);
    static final MethodHandle BACKWARD = fn("tb_backward", status(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT), NORMAL);
    static final MethodHandle GRAD = fn("tb_grad", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle SET_GRAD = fn("tb_set_grad", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle GRAD_FN_NAME = fn("tb_grad_fn_name", status(ADDRESS, ADDRESS, JAVA_LONG), NORMAL);
    static final MethodHandle MANUAL_SEED = fn("tb_manual_seed", status(JAVA_LONG), NORMAL);
    static final MethodHandle CUDA_AVAILABLE = fn("tb_cuda_available", status(ADDRESS), NORMAL);
    static final MethodHandle CUDA_DEVICE_COUNT = fn("tb_cuda_device_count", status(ADDRESS), NORMAL);
    static final MethodHandle CUDA_DEVICE_INFO = fn("tb_cuda_device_info", status(JAVA_INT, ADDRESS, JAVA_LONG,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle CUDNN_VERSION = fn("tb_cudnn_version", status(ADDRESS), NORMAL);
    static final MethodHandle CUDA_SYNCHRONIZE = fn("tb_cuda_synchronize", status(JAVA_INT), NORMAL);

    static final MethodHandle PINNED_EMPTY = fn("tb_pinned_empty", status(JAVA_LONG, ADDRESS), NORMAL);
    static final MethodHandle STREAM_NEW = fn("tb_stream_new", status(JAVA_INT, JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle STREAM_CURRENT = fn("tb_stream_current", status(JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle STREAM_SYNCHRONIZE = fn("tb_stream_synchronize", status(ADDRESS), NORMAL);
    static final MethodHandle STREAM_QUERY = fn("tb_stream_query", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle STREAM_INFO = fn("tb_stream_info", status(ADDRESS, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle STREAM_FREE = fn("tb_stream_free", status(ADDRESS), NORMAL);
    static final MethodHandle EVENT_NEW = fn("tb_event_new", status(JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle EVENT_RECORD = fn("tb_event_record", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle EVENT_BLOCK = fn("tb_event_block", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle EVENT_SYNCHRONIZE = fn("tb_event_synchronize", status(ADDRESS), NORMAL);
    static final MethodHandle EVENT_QUERY = fn("tb_event_query", status(ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle EVENT_ELAPSED = fn("tb_event_elapsed_ms", status(ADDRESS, ADDRESS, ADDRESS), NORMAL);
    static final MethodHandle EVENT_FREE = fn("tb_event_free", status(ADDRESS), NORMAL);
    static final MethodHandle MEMORY_STATS = fn("tb_cuda_memory_stats", status(JAVA_INT, ADDRESS), NORMAL);
    static final MethodHandle EMPTY_CACHE = fn("tb_cuda_empty_cache", status(), NORMAL);
    static final MethodHandle RESET_PEAK = fn("tb_cuda_reset_peak_stats", status(JAVA_INT), NORMAL);
    static final MethodHandle RECORD_STREAM = fn("tb_record_stream", status(ADDRESS, ADDRESS), NORMAL);

    /** The deleter signature of tb_from_blob: {@code void (*)(int64_t context)}. */
    public static final FunctionDescriptor DELETER = FunctionDescriptor.ofVoid(JAVA_LONG);

    private Native() {
    }

    public static NativeLibrary library() {
        return LIBRARY;
    }

    public static Linker linker() {
        return LINKER;
    }

    private static FunctionDescriptor status(MemoryLayout... arguments) {
        return FunctionDescriptor.of(JAVA_INT, arguments);
    }

    private static MethodHandle fn(String name, FunctionDescriptor descriptor, Linker.Option[] options) {
        MemorySegment symbol = LIBRARY.symbols().find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "symbol " + name + " missing from " + LIBRARY.path() + ": the shim is older than this jar; rebuild it"
                        + " with torch/native/build.sh"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    static String lastError() {
        try {
            return ((MemorySegment) LAST_ERROR.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** Reads a C string the shim returned (static storage). */
    static String string(MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }
}

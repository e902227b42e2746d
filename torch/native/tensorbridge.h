/*
 * tensorbridge native shim: a plain C ABI over libtorch, called from Java through the FFM API.
 *
 * Rules every function follows:
 *  - returns a status code (TB_OK or one of TB_ERR_*); on error, tb_last_error() holds libtorch's
 *    message (without the C++ backtrace) for the calling thread;
 *  - no C++ exception ever escapes;
 *  - tensors are opaque handles (heap-allocated at::Tensor); each handle returned must be freed
 *    exactly once with tb_tensor_free. A NULL handle stands for an undefined tensor (e.g. no grad).
 */
#ifndef TENSORBRIDGE_H
#define TENSORBRIDGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tb_tensor tb_tensor;
typedef struct tb_op tb_op;
typedef struct tb_result tb_result;
typedef struct tb_stream tb_stream;
typedef struct tb_event tb_event;

enum tb_status {
  TB_OK = 0,
  TB_ERR_TORCH = 1,          /* c10::Error and anything not listed below */
  TB_ERR_INDEX = 2,          /* c10::IndexError */
  TB_ERR_VALUE = 3,          /* c10::ValueError */
  TB_ERR_TYPE = 4,           /* c10::TypeError and argument mismatches found by the shim */
  TB_ERR_NOT_IMPLEMENTED = 5,
  TB_ERR_OUT_OF_MEMORY = 6,  /* c10::OutOfMemoryError (CUDA allocator) and std::bad_alloc */
  TB_ERR_CUDA_MISSING = 7,   /* a CUDA-only call in a shim built without CUDA */
  TB_ERR_UNKNOWN = 8,        /* a non-standard C++ exception */
  TB_ERR_ARGUMENT = 9        /* the arguments do not fit the operator's schema (nothing ran) */
};

/* Tags of the 32-byte argument slots of tb_op_call: {int64 tag; int64 a; int64 b; const char* name}. */
enum tb_arg_tag {
  TB_ARG_DEFAULT = 0,        /* use the schema's default value */
  TB_ARG_NONE = 1,
  TB_ARG_TENSOR = 2,         /* a = tb_tensor* (NULL = undefined tensor) */
  TB_ARG_INT = 3,            /* a = value */
  TB_ARG_DOUBLE = 4,         /* a = IEEE-754 bits */
  TB_ARG_BOOL = 5,           /* a = 0 / 1 */
  TB_ARG_INT_LIST = 6,       /* a = const int64_t*, b = length */
  TB_ARG_DOUBLE_LIST = 7,    /* a = const double*, b = length */
  TB_ARG_TENSOR_LIST = 8,    /* a = tb_tensor* const*, b = length */
  TB_ARG_OPT_TENSOR_LIST = 9,/* a = tb_tensor* const* (NULL entries = None), b = length */
  TB_ARG_SCALAR_TYPE = 10,   /* a = c10::ScalarType code */
  TB_ARG_DEVICE = 11,        /* a = c10::DeviceType code, b = index (-1 = current) */
  TB_ARG_STRING = 12,        /* a = const char* UTF-8, b = byte length */
  TB_ARG_BOOL_LIST = 13,     /* a = const uint8_t*, b = length */
  TB_ARG_LAYOUT = 14,        /* a = c10::Layout code */
  TB_ARG_MEMORY_FORMAT = 15  /* a = c10::MemoryFormat code */
};

/* Kinds of the values an operator returns (tb_result_kind). */
enum tb_value_kind {
  TB_VAL_NONE = 0, TB_VAL_TENSOR = 1, TB_VAL_INT = 2, TB_VAL_DOUBLE = 3, TB_VAL_BOOL = 4,
  TB_VAL_TENSOR_LIST = 5, TB_VAL_INT_LIST = 6, TB_VAL_DOUBLE_LIST = 7, TB_VAL_STRING = 8,
  TB_VAL_OTHER = 9
};

/* Indices of the fields tb_tensor_meta fills. */
enum tb_meta_field {
  TB_META_DIM = 0, TB_META_DTYPE, TB_META_DEVICE_TYPE, TB_META_DEVICE_INDEX, TB_META_LAYOUT,
  TB_META_REQUIRES_GRAD, TB_META_IS_LEAF, TB_META_NUMEL, TB_META_ELEMENT_SIZE, TB_META_STORAGE_OFFSET,
  TB_META_IS_CONTIGUOUS, TB_META_DATA_PTR, TB_META_IS_CONJ, TB_META_IS_NEG, TB_META_HAS_STORAGE,
  TB_META_COUNT
};

typedef void (*tb_deleter)(int64_t context);

/* errors and versions */
const char* tb_last_error(void);
const char* tb_torch_version(void);
int tb_built_with_cuda(void);
int tb_dtype_code(const char* c10_name);            /* e.g. "Float", "UInt16"; -1 if this libtorch lacks it */

/* tensors */
int tb_tensor_free(tb_tensor* t);
int tb_tensor_share(tb_tensor* t, tb_tensor** out); /* a second handle on the same tensor */
int tb_tensor_meta(tb_tensor* t, int64_t* out /* TB_META_COUNT */);
int tb_tensor_shape(tb_tensor* t, int64_t* sizes, int64_t* strides, int capacity);
int tb_tensor_item(tb_tensor* t, double* as_double, int64_t* as_long);
int tb_tensor_same(tb_tensor* a, tb_tensor* b, int* out); /* same TensorImpl */
int tb_storage_nbytes(tb_tensor* t, int64_t* out);
/* Wraps caller memory. The deleter (may be NULL) is called exactly once with context when libtorch
 * no longer uses the memory — also when this call fails. */
int tb_from_blob(void* data, int ndim, const int64_t* sizes, const int64_t* strides, int64_t storage_offset,
                 int dtype, int device_type, int device_index, tb_deleter deleter, int64_t context,
                 tb_tensor** out);

/* operators by name */
int tb_op_find(const char* name, const char* overload, tb_op** out);
int tb_op_overloads(const char* name, char* buffer, int64_t capacity, int64_t* needed); /* each name followed by '\n' */
int tb_op_schema(tb_op* op, char* buffer, int64_t capacity, int64_t* needed);
int tb_op_num_arguments(tb_op* op, int* out);
int tb_op_argument(tb_op* op, int index, char* name, int64_t name_capacity, char* type, int64_t type_capacity,
                   int* has_default, int* kwarg_only);
int tb_op_num_returns(tb_op* op, int* out);
/* What libtorch keeps per OS thread (grad mode, autocast, the current CUDA stream), owned by the calling
 * Java thread and applied by the shim to the OS thread that runs each call that depends on it: Java's
 * virtual threads move between OS threads. Applying is skipped when nothing changed. */
typedef struct tb_thread_state {
  int32_t grad_enabled;
  int32_t autocast_cpu;        /* 0/1 */
  int32_t autocast_cpu_dtype;  /* c10::ScalarType code, -1: libtorch's default */
  int32_t autocast_cuda;
  int32_t autocast_cuda_dtype;
  int32_t stream_device;       /* -1: the default streams */
  int64_t stream_id;           /* c10::StreamId of the current stream on stream_device */
  int64_t autocast_epoch;      /* bumped when the Java thread leaves its outermost autocast scope */
} tb_thread_state;
int tb_apply_thread_state(const tb_thread_state* state);

/* Calls op with nargs slots under the caller's thread state. When it returns exactly one tensor,
 * *out_tensor receives it and *out_result is NULL; otherwise *out_result receives all returns (free with
 * tb_result_free). */
int tb_op_call(tb_op* op, const void* args, int nargs, const tb_thread_state* state, tb_tensor** out_tensor,
               tb_result** out_result);

int tb_result_free(tb_result* r);
int tb_result_count(tb_result* r, int* out);
int tb_result_kind(tb_result* r, int index, int* out);
int tb_result_list_size(tb_result* r, int index, int64_t* out);
int tb_result_tensor(tb_result* r, int index, int64_t element, tb_tensor** out); /* element -1: not a list */
int tb_result_int(tb_result* r, int index, int64_t element, int64_t* out);
int tb_result_double(tb_result* r, int index, int64_t element, double* out);
int tb_result_string(tb_result* r, int index, char* buffer, int64_t capacity, int64_t* needed);

/* autograd */
int tb_set_requires_grad(tb_tensor* t, int requires_grad);
int tb_backward(tb_tensor* t, tb_tensor* gradient /* nullable */, int retain_graph, int create_graph);
int tb_grad(tb_tensor* t, tb_tensor** out /* NULL when no grad */);
int tb_set_grad(tb_tensor* t, tb_tensor* grad /* nullable: clears */);
/* The autograd node that made t ("AddBackward0"), or "" for leaves; truncated to capacity. */
int tb_grad_fn_name(tb_tensor* t, char* buffer, int64_t capacity);
int tb_manual_seed(uint64_t seed);

/* libtorch's intra-op thread pool (at::set_num_threads) */
int tb_set_num_threads(int count);
int tb_num_threads(int* out);

/* devices */
int tb_cuda_available(int* out);
int tb_cuda_device_count(int* out);
int tb_cuda_device_info(int index, char* name, int64_t name_capacity, int* major, int* minor,
                        int64_t* total_memory, int64_t* free_memory);
int tb_cudnn_version(int64_t* out); /* -1 without cuDNN */
int tb_cuda_synchronize(int device_index);

/* The GPU data path. Every call below answers TB_ERR_CUDA_MISSING when the shim was built without CUDA
 * or no CUDA device is usable. */
int tb_pinned_empty(int64_t nbytes, tb_tensor** out); /* uint8 tensor in page-locked host memory */
int tb_stream_new(int device_index, int high_priority, tb_stream** out); /* from libtorch's stream pool */
int tb_stream_current(int device_index, tb_stream** out);
int tb_stream_synchronize(tb_stream* stream);
int tb_stream_query(tb_stream* stream, int* done);
int tb_stream_info(tb_stream* stream, int* device_index, int64_t* id);
int tb_stream_free(tb_stream* stream);
int tb_event_new(int enable_timing, tb_event** out);
int tb_event_record(tb_event* event, tb_stream* stream);
int tb_event_block(tb_event* event, tb_stream* stream); /* the stream waits for the event */
int tb_event_synchronize(tb_event* event);
int tb_event_query(tb_event* event, int* done);
int tb_event_elapsed_ms(tb_event* start, tb_event* end, double* ms);
int tb_event_free(tb_event* event);
/* out[4]: allocated bytes now, allocated peak, reserved bytes now, reserved peak (caching allocator) */
int tb_cuda_memory_stats(int device_index, int64_t* out);
int tb_cuda_empty_cache(void);
int tb_cuda_reset_peak_stats(int device_index);
/* The caching allocator keeps t's block until the work queued on stream so far has run (Tensor.record_stream). */
int tb_record_stream(tb_tensor* t, tb_stream* stream);

/* ---- TorchScript (a scripted or traced module: code, trusted as its author) ---- */
typedef struct tb_script tb_script;
/* Loads a TorchScript file onto a device (device_type -1: where it was saved) in eval mode. */
int tb_script_load(const char* path, int device_type, int device_index, tb_script** out);
/* forward(inputs...) with the caller's thread state; the result must be one tensor. */
int tb_script_forward(tb_script* script, tb_tensor* const* inputs, int count, const tb_thread_state* state,
                      tb_tensor** out);
int tb_script_free(tb_script* script);

/* ===== distributed (c10d): process groups (issue #15) =====
 * Compiled in when build.sh finds libtorch's c10d and Gloo headers (-DTB_WITH_C10D); otherwise every call
 * answers TB_ERR_NOT_IMPLEMENTED with a message naming the fix. Works (tb_work) must be freed with
 * tb_work_free; a group with tb_pg_free (which also shuts it down). */
typedef struct tb_pg tb_pg;
typedef struct tb_work tb_work;
enum tb_store_kind { TB_STORE_TCP = 0, TB_STORE_FILE = 1 };
enum tb_backend { TB_BACKEND_GLOO = 1, TB_BACKEND_NCCL = 2 };
enum tb_reduce_op { TB_REDUCE_SUM = 0, TB_REDUCE_PRODUCT = 1, TB_REDUCE_MIN = 2, TB_REDUCE_MAX = 3 };
int tb_dist_available(char* reason, int64_t capacity); /* 1: Gloo groups can be made; else reason says why */
/* 1 when rank 0's TCP store listens on the master address only: always, since libtorch 2.1+'s TCPStore gets a socket
 * the shim bound, and older libtorch (1.13, whose TCPStore has no bind address) uses the shim's own store
 * (tensorbridge_store.hpp). Kept so that callers can check. */
int tb_dist_store_binds_address(void);
/* 1: NCCL is built in and a CUDA device is usable, so groups can have TB_BACKEND_NCCL; else reason says why not. */
int tb_dist_nccl_available(char* reason, int64_t capacity);
/* backend: TB_BACKEND_* bits (0: Gloo); a collective goes to NCCL for CUDA tensors, to Gloo otherwise. store_kind TB_STORE_TCP: address = the master's host, port, is_server (rank 0 hosts
 * it); TB_STORE_FILE: address = a file path (port, is_server ignored). gloo_hostname: the address this
 * rank's Gloo pairs bind to (NULL: the machine's hostname). timeout_ms bounds the rendezvous and every
 * collective. */
int tb_pg_new(int backend, int store_kind, const char* address, int port, int is_server, int rank, int world_size,
              const char* gloo_hostname, int64_t timeout_ms, tb_pg** out);
int tb_pg_free(tb_pg* pg);
int tb_pg_allreduce(tb_pg* pg, tb_tensor* const* tensors, int count, int op, tb_work** out);
int tb_pg_broadcast(tb_pg* pg, tb_tensor* const* tensors, int count, int root, tb_work** out);
/* outputs: world_size tensors shaped like input */
int tb_pg_allgather(tb_pg* pg, tb_tensor* const* outputs, int count, tb_tensor* input, tb_work** out);
/* inputs: world_size tensors shaped like output */
int tb_pg_reduce_scatter(tb_pg* pg, tb_tensor* output, tb_tensor* const* inputs, int count, int op, tb_work** out);
int tb_pg_barrier(tb_pg* pg, tb_work** out);
/* The group's rendezvous store, as c10d::Store (PyTorch's dist.Store): one call per operation. key: NUL-terminated.
 *   SET: a/a_len is the value.            GET: the value into out (waits up to the store's timeout for the key).
 *   ADD: number is added; *out_number the sum.    COMPARE_SET: a = expected, b = desired; out = the value now.
 *   DELETE / CHECK: *out_number 1 if the key was there.   NUM_KEYS: *out_number.
 *   WAIT: waits for the key, number = timeout in ms.
 * out/capacity receive at most capacity bytes; *out_len is the full length (call again with more room if larger). */
enum tb_store_op { TB_STORE_SET = 0, TB_STORE_GET, TB_STORE_ADD, TB_STORE_COMPARE_SET, TB_STORE_DELETE, TB_STORE_CHECK,
                   TB_STORE_NUM_KEYS, TB_STORE_WAIT };
int tb_pg_store(tb_pg* pg, int op, const char* key, const uint8_t* a, int64_t a_len, const uint8_t* b, int64_t b_len,
                int64_t number, uint8_t* out, int64_t capacity, int64_t* out_len, int64_t* out_number);
/* Waits at most timeout_ms (0: no limit beyond the group's); *timed_out = 1 when that ran out (no error). */
int tb_work_wait(tb_work* work, int64_t timeout_ms, int* timed_out);
int tb_work_is_completed(tb_work* work, int* out);
int tb_work_free(tb_work* work);

/* DataParallel's reducer: buckets of gradients all-reduced from autograd hooks on the parameters' grad
 * accumulators while backward runs (c10d Reducer's design). bucket_of[i]: parameter i's bucket (-1: not
 * reduced); buckets are started in index order on every rank; a parameter i in bucket b sits after the earlier
 * parameters of b. Parameters must be leaves that require grad; a bucket holds one dtype. */
typedef struct tb_ddp tb_ddp;
int tb_ddp_new(tb_pg* pg, tb_tensor* const* params, int count, const int32_t* bucket_of, int bucket_count,
               tb_ddp** out);
/* enabled 0: the hooks do nothing (no_sync) */
int tb_ddp_set_sync(tb_ddp* ddp, int enabled);
/* Packs and starts the buckets no hook started (parameters without a gradient this round contribute their
 * current .grad or zeros), waits for all, divides by the world size and writes the averages into .grad
 * (creating it where undefined). Bounded by the group's timeout. */
int tb_ddp_finish(tb_ddp* ddp);
/* Statistics of the last finished round, TB_DDP_STAT_COUNT values: */
enum tb_ddp_stat {
  TB_DDP_STAT_ROUNDS = 0,              /* rounds finished so far */
  TB_DDP_STAT_BUCKETS = 1,             /* bucket count */
  TB_DDP_STAT_STARTED_IN_BACKWARD = 2, /* buckets whose all-reduce a hook started, i.e. during backward */
  TB_DDP_STAT_STARTED_AT_FINISH = 3,   /* buckets started by tb_ddp_finish */
  TB_DDP_STAT_PENDING_AT_FIRST = 4,    /* gradients still to come when the first bucket started (-1: none) */
  TB_DDP_STAT_COUNT = 5
};
int tb_ddp_stats(tb_ddp* ddp, int64_t* out, int count);
int tb_ddp_free(tb_ddp* ddp);
/* ===== end distributed ===== */

#ifdef __cplusplus
}
#endif
#endif

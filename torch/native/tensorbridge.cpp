// tensorbridge native shim. See tensorbridge.h for the contract: status codes, a thread-local error
// message, opaque handles, and no C++ exception crossing into Java.
#include "tensorbridge.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <c10/util/Logging.h>
#include <torch/csrc/autograd/function.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#ifdef TB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

#define TB_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

struct tb_tensor {
  at::Tensor tensor;
};

struct tb_op {
  c10::OperatorHandle handle;
  const c10::FunctionSchema* schema;
};

struct tb_result {
  std::vector<c10::IValue> values;
};

#ifdef TB_WITH_CUDA
struct tb_stream {
  c10::cuda::CUDAStream stream;
};

struct tb_event {
  at::cuda::CUDAEvent event;
};
#else
struct tb_stream {};
struct tb_event {};
#endif

namespace {

thread_local std::string last_error;

// A mismatch between the caller's arguments and the schema (or a bad handle), reported as
// TB_ERR_ARGUMENT before anything ran, so a caller may try another overload.
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A value of the wrong kind (e.g. item() of a complex tensor), reported as TB_ERR_TYPE.
struct TypeMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A CUDA-only call where no CUDA device is usable, reported as TB_ERR_CUDA_MISSING.
struct CudaMissing : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int fail(int code, const char* message) noexcept {
  try {
    last_error = message;
  } catch (...) {
    // out of memory for the message itself: the status code still says what kind of error it was
  }
  return code;
}

// Runs body and turns every exception into a status code plus the thread's error message.
template <typename Body>
int guarded(Body&& body) noexcept {
  try {
    body();
    return TB_OK;
  } catch (const c10::OutOfMemoryError& e) {
    return fail(TB_ERR_OUT_OF_MEMORY, e.what_without_backtrace());
  } catch (const c10::IndexError& e) {
    return fail(TB_ERR_INDEX, e.what_without_backtrace());
  } catch (const c10::ValueError& e) {
    return fail(TB_ERR_VALUE, e.what_without_backtrace());
  } catch (const c10::TypeError& e) {
    return fail(TB_ERR_TYPE, e.what_without_backtrace());
  } catch (const c10::NotImplementedError& e) {
    return fail(TB_ERR_NOT_IMPLEMENTED, e.what_without_backtrace());
  } catch (const c10::Error& e) {
    return fail(TB_ERR_TORCH, e.what_without_backtrace());
  } catch (const ArgumentError& e) {
    return fail(TB_ERR_ARGUMENT, e.what());
  } catch (const TypeMismatch& e) {
    return fail(TB_ERR_TYPE, e.what());
  } catch (const CudaMissing& e) {
    return fail(TB_ERR_CUDA_MISSING, e.what());
  } catch (const std::bad_alloc&) {
    return fail(TB_ERR_OUT_OF_MEMORY, "out of host memory (std::bad_alloc)");
  } catch (const std::exception& e) {
    return fail(TB_ERR_TORCH, e.what());
  } catch (...) {
    return fail(TB_ERR_UNKNOWN, "unknown C++ exception");
  }
}

at::Tensor& deref(tb_tensor* t) {
  if (t == nullptr) throw ArgumentError("null tensor handle");
  return t->tensor;
}

tb_tensor* wrap(at::Tensor t) {
  return t.defined() ? new tb_tensor{std::move(t)} : nullptr;
}

// Copies a string into a caller buffer; *needed receives the full length (without the terminator).
void copy_out(const std::string& s, char* buffer, int64_t capacity, int64_t* needed) {
  if (needed) *needed = static_cast<int64_t>(s.size());
  if (buffer && capacity > 0) {
    size_t n = std::min(static_cast<size_t>(capacity - 1), s.size());
    std::memcpy(buffer, s.data(), n);
    buffer[n] = '\0';
  }
}

// Fires a from_blob deleter exactly once, whichever of libtorch or a failed call gets there first.
struct BlobRelease {
  tb_deleter deleter;
  int64_t context;
  std::atomic<bool> fired{false};
  void fire() {
    if (deleter != nullptr && !fired.exchange(true)) deleter(context);
  }
};

// ---- argument decoding for tb_op_call ----

struct Slot {
  int64_t tag;
  int64_t a;
  int64_t b;
  const char* name;
};

const char* tag_name(int64_t tag) {
  switch (tag) {
    case TB_ARG_DEFAULT: return "default";
    case TB_ARG_NONE: return "None";
    case TB_ARG_TENSOR: return "Tensor";
    case TB_ARG_INT: return "int";
    case TB_ARG_DOUBLE: return "float";
    case TB_ARG_BOOL: return "bool";
    case TB_ARG_INT_LIST: return "int[]";
    case TB_ARG_DOUBLE_LIST: return "float[]";
    case TB_ARG_TENSOR_LIST: return "Tensor[]";
    case TB_ARG_OPT_TENSOR_LIST: return "Tensor?[]";
    case TB_ARG_SCALAR_TYPE: return "ScalarType";
    case TB_ARG_DEVICE: return "Device";
    case TB_ARG_STRING: return "str";
    case TB_ARG_BOOL_LIST: return "bool[]";
    case TB_ARG_LAYOUT: return "Layout";
    case TB_ARG_MEMORY_FORMAT: return "MemoryFormat";
    default: return "unknown";
  }
}

// "aten::add.Tensor": the name messages use.
std::string label(const tb_op* op) {
  const auto& overload = op->schema->overload_name();
  return op->schema->name() + (overload.empty() ? "" : "." + overload);
}

[[noreturn]] void mismatch(const tb_op* op, size_t index, const c10::Argument& arg, int64_t tag) {
  throw ArgumentError(label(op) + ": argument " + std::to_string(index) + " '" + arg.name() + "' expects " +
      arg.type()->str() + " but got " + tag_name(tag) + "; schema: " + c10::toString(*op->schema));
}

c10::List<int64_t> int_list(const Slot& s, const c10::Argument& arg) {
  c10::List<int64_t> list;
  if (s.tag == TB_ARG_INT) {
    // Like Python, a single int fills an int[N] argument (kernel_size=3 means (3, 3)).
    int64_t n = arg.N() ? *arg.N() : 1;
    for (int64_t i = 0; i < n; i++) list.push_back(s.a);
  } else {
    auto data = reinterpret_cast<const int64_t*>(s.a);
    list.reserve(s.b);
    for (int64_t i = 0; i < s.b; i++) list.push_back(data[i]);
  }
  return list;
}

c10::IValue decode(const tb_op* op, size_t index, const c10::Argument& arg, const Slot& s) {
  c10::TypePtr type = arg.type();
  if (s.tag == TB_ARG_NONE) {
    if (type->kind() == c10::TypeKind::OptionalType || type->kind() == c10::TypeKind::NoneType) return {};
    mismatch(op, index, arg, s.tag);
  }
  if (type->kind() == c10::TypeKind::OptionalType) type = type->expectRef<c10::OptionalType>().getElementType();
  switch (type->kind()) {
    case c10::TypeKind::TensorType:
      if (s.tag == TB_ARG_TENSOR) {
        if (s.a == 0) return at::Tensor();
        return reinterpret_cast<tb_tensor*>(s.a)->tensor;
      }
      break;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
      // ScalarType, Layout and MemoryFormat travel as ints in the boxed calling convention.
      if (s.tag == TB_ARG_INT || s.tag == TB_ARG_SCALAR_TYPE || s.tag == TB_ARG_LAYOUT ||
          s.tag == TB_ARG_MEMORY_FORMAT) return s.a;
      break;
    case c10::TypeKind::ScalarTypeType:
      if (s.tag == TB_ARG_SCALAR_TYPE || s.tag == TB_ARG_INT) return s.a;
      break;
    case c10::TypeKind::LayoutType:
      if (s.tag == TB_ARG_LAYOUT || s.tag == TB_ARG_INT) return s.a;
      break;
    case c10::TypeKind::MemoryFormatType:
      if (s.tag == TB_ARG_MEMORY_FORMAT || s.tag == TB_ARG_INT) return s.a;
      break;
    case c10::TypeKind::FloatType:
    case c10::TypeKind::SymFloatType:
      if (s.tag == TB_ARG_DOUBLE) { double d; std::memcpy(&d, &s.a, sizeof d); return d; }
      if (s.tag == TB_ARG_INT) return static_cast<double>(s.a);
      break;
    case c10::TypeKind::BoolType:
      if (s.tag == TB_ARG_BOOL) return s.a != 0;
      break;
    case c10::TypeKind::NumberType:  // at::Scalar
      if (s.tag == TB_ARG_INT) return s.a;
      if (s.tag == TB_ARG_DOUBLE) { double d; std::memcpy(&d, &s.a, sizeof d); return d; }
      if (s.tag == TB_ARG_BOOL) return s.a != 0;
      break;
    case c10::TypeKind::StringType:
      if (s.tag == TB_ARG_STRING) return std::string(reinterpret_cast<const char*>(s.a), s.b);
      break;
    case c10::TypeKind::DeviceObjType:
      if (s.tag == TB_ARG_DEVICE)
        return c10::Device(static_cast<c10::DeviceType>(s.a), static_cast<c10::DeviceIndex>(s.b));
      break;
    case c10::TypeKind::ListType: {
      auto element = type->expectRef<c10::ListType>().getElementType();
      auto kind = element->kind();
      if ((kind == c10::TypeKind::IntType || kind == c10::TypeKind::SymIntType) &&
          (s.tag == TB_ARG_INT_LIST || s.tag == TB_ARG_INT)) return int_list(s, arg);
      if (kind == c10::TypeKind::FloatType && s.tag == TB_ARG_DOUBLE_LIST) {
        auto data = reinterpret_cast<const double*>(s.a);
        return c10::List<double>(std::vector<double>(data, data + s.b));
      }
      if (kind == c10::TypeKind::BoolType && s.tag == TB_ARG_BOOL_LIST) {
        auto data = reinterpret_cast<const uint8_t*>(s.a);
        c10::List<bool> list;
        for (int64_t i = 0; i < s.b; i++) list.push_back(data[i] != 0);
        return list;
      }
      if (kind == c10::TypeKind::TensorType && s.tag == TB_ARG_TENSOR_LIST) {
        auto data = reinterpret_cast<tb_tensor* const*>(s.a);
        c10::List<at::Tensor> list;
        list.reserve(s.b);
        for (int64_t i = 0; i < s.b; i++) list.push_back(deref(data[i]));
        return list;
      }
      if (kind == c10::TypeKind::OptionalType &&
          (s.tag == TB_ARG_OPT_TENSOR_LIST || s.tag == TB_ARG_TENSOR_LIST)) {
        auto data = reinterpret_cast<tb_tensor* const*>(s.a);
        c10::List<c10::optional<at::Tensor>> list;
        for (int64_t i = 0; i < s.b; i++) {
          if (data[i] == nullptr) list.push_back(c10::nullopt);
          else list.push_back(data[i]->tensor);
        }
        return list;
      }
      break;
    }
    default:
      break;
  }
  mismatch(op, index, arg, s.tag);
}

// Builds the boxed stack: positional slots first, then keyword slots by name, then schema defaults.
void build_stack(const tb_op* op, const Slot* slots, int nargs, std::vector<c10::IValue>& stack) {
  const auto& arguments = op->schema->arguments();
  const size_t n = arguments.size();
  // Schemas have a handful of arguments: placing them needs no heap allocation.
  constexpr size_t kInline = 32;
  const Slot* inline_placed[kInline] = {};
  std::vector<const Slot*> heap_placed(n > kInline ? n : 0, nullptr);
  const Slot** placed = n > kInline ? heap_placed.data() : inline_placed;
  size_t positional = 0;
  for (int i = 0; i < nargs; i++) {
    const Slot& s = slots[i];
    if (s.name == nullptr) {
      if (positional >= n || arguments[positional].kwarg_only()) {
        throw ArgumentError(label(op) + " takes " + std::to_string(positional) + " positional arguments but got more" +
                            (positional < n ? " (pass '" + arguments[positional].name() + "' and later ones by keyword)" : "") +
                            "; schema: " + c10::toString(*op->schema));
      }
      placed[positional++] = &s;
      continue;
    }
    size_t j = 0;
    while (j < n && arguments[j].name() != s.name) j++;
    if (j == n) {
      throw ArgumentError(label(op) + " has no argument named '" + s.name + "'; schema: " +
                          c10::toString(*op->schema));
    }
    if (placed[j] != nullptr) {
      throw ArgumentError(label(op) + " got argument '" + s.name + "' twice; schema: " +
                          c10::toString(*op->schema));
    }
    placed[j] = &s;
  }
  stack.reserve(n);
  for (size_t j = 0; j < n; j++) {
    const auto& arg = arguments[j];
    if (placed[j] == nullptr || placed[j]->tag == TB_ARG_DEFAULT) {
      // callBoxed does not fill defaults; the schema carries them.
      if (!arg.default_value()) {
        throw ArgumentError(label(op) + " is missing required argument " + std::to_string(j) + " '" +
                            arg.name() + "' (" + arg.type()->str() + "); schema: " + c10::toString(*op->schema));
      }
      stack.push_back(*arg.default_value());
    } else {
      stack.push_back(decode(op, j, arg, *placed[j]));
    }
  }
}

int value_kind(const c10::IValue& v) {
  if (v.isNone()) return TB_VAL_NONE;
  if (v.isTensor()) return TB_VAL_TENSOR;
  if (v.isInt()) return TB_VAL_INT;
  if (v.isDouble()) return TB_VAL_DOUBLE;
  if (v.isBool()) return TB_VAL_BOOL;
  if (v.isTensorList()) return TB_VAL_TENSOR_LIST;
  if (v.isIntList()) return TB_VAL_INT_LIST;
  if (v.isDoubleList()) return TB_VAL_DOUBLE_LIST;
  if (v.isString()) return TB_VAL_STRING;
  if (v.isList()) {  // e.g. Tensor?[] or a generic list of tensors
    auto list = v.toListRef();
    bool tensors = true;
    for (const auto& e : list) tensors = tensors && (e.isTensor() || e.isNone());
    if (tensors) return TB_VAL_TENSOR_LIST;
  }
  return TB_VAL_OTHER;
}

const c10::IValue& result_at(tb_result* r, int index) {
  if (r == nullptr) throw ArgumentError("null result handle");
  if (index < 0 || static_cast<size_t>(index) >= r->values.size())
    throw ArgumentError("result index " + std::to_string(index) + " out of range (" +
                        std::to_string(r->values.size()) + " values)");
  return r->values[index];
}

c10::IValue element_at(tb_result* r, int index, int64_t element) {
  const c10::IValue& v = result_at(r, index);
  if (element < 0) return v;
  if (!v.isList()) throw ArgumentError("result " + std::to_string(index) + " is not a list");
  auto list = v.toListRef();
  if (element >= static_cast<int64_t>(list.size()))
    throw ArgumentError("list element " + std::to_string(element) + " out of range (" + std::to_string(list.size()) + ")");
  return list[element];
}


// ---------------------------------------------------------------------------------------- thread state

void set_autocast(c10::DeviceType type, bool enabled, int dtype) {
#if TB_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(type, enabled);
  if (dtype >= 0) at::autocast::set_autocast_dtype(type, static_cast<at::ScalarType>(dtype));
#else
  if (type == c10::DeviceType::CPU) {
    at::autocast::set_cpu_enabled(enabled);
    if (dtype >= 0) at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(dtype));
  } else {
    at::autocast::set_enabled(enabled);
    if (dtype >= 0) at::autocast::set_autocast_gpu_dtype(static_cast<at::ScalarType>(dtype));
  }
#endif
}

#ifdef TB_WITH_CUDA
// Like CUDAStreamGuard: the stream's device becomes current too, since copy_ and kernels run on the
// current stream of the current device.
void apply_stream(const tb_thread_state& before, const tb_thread_state& now) {
  if (before.stream_device == now.stream_device && before.stream_id == now.stream_id) return;
  if (before.stream_device >= 0) {
    c10::cuda::setCurrentCUDAStream(c10::cuda::getDefaultCUDAStream(static_cast<c10::DeviceIndex>(before.stream_device)));
  }
  if (now.stream_device >= 0) {
    auto device = c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(now.stream_device));
    c10::cuda::set_device(device.index());
    c10::cuda::setCurrentCUDAStream(c10::cuda::CUDAStream(c10::Stream(c10::Stream::UNSAFE, device, now.stream_id)));
  }
}
#endif

// What is applied on this OS thread now, and whose (the address of a Java thread's state).
thread_local tb_thread_state applied_state{1, 0, -1, 0, -1, -1, 0, 0};
thread_local const tb_thread_state* applied_owner = nullptr;

void apply_thread_state(const tb_thread_state* state) {
  if (state == nullptr) return;
  if (state == applied_owner && std::memcmp(state, &applied_state, sizeof applied_state) == 0) return;
  // Autocast's cache of cast weights belongs to one Java thread's outermost autocast scope: drop it when
  // another Java thread takes this OS thread, or when that scope ended (as torch.autocast's __exit__ does).
  if (state != applied_owner || state->autocast_epoch != applied_state.autocast_epoch) at::autocast::clear_cache();
  c10::GradMode::set_enabled(state->grad_enabled != 0);
  set_autocast(c10::DeviceType::CPU, state->autocast_cpu != 0, state->autocast_cpu_dtype);
  set_autocast(c10::DeviceType::CUDA, state->autocast_cuda != 0, state->autocast_cuda_dtype);
#ifdef TB_WITH_CUDA
  apply_stream(applied_state, *state);
#endif
  applied_state = *state;
  applied_owner = state;
}

#if !TB_TORCH_AT_LEAST(2, 4)
// libtorch before 2.4 symbolises a C++ backtrace for every c10::Error (milliseconds each), which the shim
// drops anyway (what_without_backtrace). Install a fetcher that returns nothing when the shim loads.
[[maybe_unused]] const bool cheap_errors = [] {
  c10::SetStackTraceFetcher([] { return std::string(); });
  return true;
}();
#endif

}  // namespace

extern "C" {

const char* tb_last_error(void) { return last_error.c_str(); }

const char* tb_torch_version(void) { return TORCH_VERSION; }

int tb_built_with_cuda(void) {
#ifdef TB_WITH_CUDA
  return 1;
#else
  return 0;
#endif
}

int tb_dtype_code(const char* c10_name) {
  for (int code = 0; code < static_cast<int>(c10::ScalarType::NumOptions); code++) {
    auto type = static_cast<c10::ScalarType>(code);
    if (std::strcmp(c10::toString(type), c10_name) == 0) return code;
  }
  return -1;
}

int tb_tensor_free(tb_tensor* t) {
  return guarded([&] { delete t; });
}

int tb_tensor_share(tb_tensor* t, tb_tensor** out) {
  return guarded([&] { *out = new tb_tensor{deref(t)}; });
}

int tb_tensor_meta(tb_tensor* t, int64_t* out) {
  return guarded([&] {
    const at::Tensor& x = deref(t);
    out[TB_META_DIM] = x.dim();
    out[TB_META_DTYPE] = static_cast<int64_t>(x.scalar_type());
    out[TB_META_DEVICE_TYPE] = static_cast<int64_t>(x.device().type());
    out[TB_META_DEVICE_INDEX] = x.device().index();
    out[TB_META_LAYOUT] = static_cast<int64_t>(x.layout());
    out[TB_META_REQUIRES_GRAD] = x.requires_grad();
    out[TB_META_IS_LEAF] = x.is_leaf();
    out[TB_META_NUMEL] = x.numel();
    out[TB_META_ELEMENT_SIZE] = static_cast<int64_t>(x.element_size());
    bool strided = x.layout() == at::kStrided;
    out[TB_META_HAS_STORAGE] = strided && x.has_storage();
    out[TB_META_STORAGE_OFFSET] = strided ? x.storage_offset() : 0;
    out[TB_META_IS_CONTIGUOUS] = strided && x.is_contiguous();
    out[TB_META_DATA_PTR] = out[TB_META_HAS_STORAGE] ? reinterpret_cast<int64_t>(x.data_ptr()) : 0;
    out[TB_META_IS_CONJ] = x.is_conj();
    out[TB_META_IS_NEG] = x.is_neg();
  });
}

int tb_tensor_shape(tb_tensor* t, int64_t* sizes, int64_t* strides, int capacity) {
  return guarded([&] {
    const at::Tensor& x = deref(t);
    if (x.dim() > capacity) throw ArgumentError("shape buffer too small");
    for (int64_t i = 0; i < x.dim(); i++) {
      sizes[i] = x.size(i);
      if (strides) strides[i] = x.layout() == at::kStrided ? x.stride(i) : 0;
    }
  });
}

int tb_tensor_item(tb_tensor* t, double* as_double, int64_t* as_long) {
  return guarded([&] {
    at::Scalar s = deref(t).item();
    if (s.isComplex()) throw TypeMismatch("item() of a complex tensor: take its real or imaginary part first (aten::real / aten::imag)");
    *as_double = s.toDouble();
    if (!s.isFloatingPoint()) {
      *as_long = s.toLong();
    } else {
      // Casting NaN, infinities or out-of-range doubles to int64 is undefined: report 0 for those.
      double d = *as_double;
      *as_long = (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) ? static_cast<int64_t>(d) : 0;
    }
  });
}

int tb_tensor_same(tb_tensor* a, tb_tensor* b, int* out) {
  return guarded([&] { *out = deref(a).unsafeGetTensorImpl() == deref(b).unsafeGetTensorImpl(); });
}

int tb_storage_nbytes(tb_tensor* t, int64_t* out) {
  return guarded([&] { *out = static_cast<int64_t>(deref(t).storage().nbytes()); });
}

int tb_from_blob(void* data, int ndim, const int64_t* sizes, const int64_t* strides, int64_t storage_offset,
                 int dtype, int device_type, int device_index, tb_deleter deleter, int64_t context,
                 tb_tensor** out) {
  auto release = std::make_shared<BlobRelease>();
  release->deleter = deleter;
  release->context = context;
  int status = guarded([&] {
    auto options = at::TensorOptions()
                       .dtype(static_cast<at::ScalarType>(dtype))
                       .device(c10::Device(static_cast<c10::DeviceType>(device_type),
                                           static_cast<c10::DeviceIndex>(device_index)));
    auto maker = at::for_blob(data, at::IntArrayRef(sizes, ndim));
    maker.strides(at::IntArrayRef(strides, ndim)).storage_offset(storage_offset).options(options);
    if (deleter != nullptr) maker.deleter([release](void*) { release->fire(); });
    *out = new tb_tensor{maker.make_tensor()};
  });
  if (status != TB_OK) release->fire();
  return status;
}

int tb_op_find(const char* name, const char* overload, tb_op** out) {
  return guarded([&] {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload ? overload : "");
    *out = new tb_op{handle, &handle.schema()};
  });
}

int tb_op_overloads(const char* name, char* buffer, int64_t capacity, int64_t* needed) {
  return guarded([&] {
    std::string joined;
    for (const auto& op : c10::Dispatcher::singleton().getAllOpNames()) {
      if (op.name == name) {
        joined += op.overload_name;  // the default overload is the empty name
        joined += '\n';
      }
    }
    copy_out(joined, buffer, capacity, needed);
  });
}

int tb_op_schema(tb_op* op, char* buffer, int64_t capacity, int64_t* needed) {
  return guarded([&] { copy_out(c10::toString(*op->schema), buffer, capacity, needed); });
}

int tb_op_num_arguments(tb_op* op, int* out) {
  return guarded([&] { *out = static_cast<int>(op->schema->arguments().size()); });
}

int tb_op_argument(tb_op* op, int index, char* name, int64_t name_capacity, char* type, int64_t type_capacity,
                   int* has_default, int* kwarg_only) {
  return guarded([&] {
    const auto& arg = op->schema->arguments().at(index);
    copy_out(arg.name(), name, name_capacity, nullptr);
    copy_out(arg.type()->str(), type, type_capacity, nullptr);
    *has_default = arg.default_value().has_value();
    *kwarg_only = arg.kwarg_only();
  });
}

int tb_op_num_returns(tb_op* op, int* out) {
  return guarded([&] { *out = static_cast<int>(op->schema->returns().size()); });
}

int tb_op_call(tb_op* op, const void* args, int nargs, const tb_thread_state* state, tb_tensor** out_tensor,
               tb_result** out_result) {
  *out_tensor = nullptr;
  *out_result = nullptr;
  return guarded([&] {
    apply_thread_state(state);
    std::vector<c10::IValue> stack;
    build_stack(op, static_cast<const Slot*>(args), nargs, stack);
    op->handle.callBoxed(&stack);
    if (stack.size() == 1 && stack[0].isTensor()) {
      *out_tensor = wrap(std::move(stack[0]).toTensor());
      if (*out_tensor == nullptr) *out_result = new tb_result{std::move(stack)};  // undefined tensor: None
    } else {
      *out_result = new tb_result{std::move(stack)};
    }
  });
}

int tb_result_free(tb_result* r) {
  return guarded([&] { delete r; });
}

int tb_result_count(tb_result* r, int* out) {
  return guarded([&] {
    if (r == nullptr) throw ArgumentError("null result handle");
    *out = static_cast<int>(r->values.size());
  });
}

int tb_result_kind(tb_result* r, int index, int* out) {
  return guarded([&] {
    const auto& v = result_at(r, index);
    *out = (v.isTensor() && !v.toTensor().defined()) ? TB_VAL_NONE : value_kind(v);
  });
}

int tb_result_list_size(tb_result* r, int index, int64_t* out) {
  return guarded([&] {
    const auto& v = result_at(r, index);
    if (!v.isList()) throw ArgumentError("result " + std::to_string(index) + " is not a list");
    *out = static_cast<int64_t>(v.toListRef().size());
  });
}

int tb_result_tensor(tb_result* r, int index, int64_t element, tb_tensor** out) {
  return guarded([&] {
    c10::IValue v = element_at(r, index, element);
    *out = v.isNone() ? nullptr : wrap(v.toTensor());
  });
}

int tb_result_int(tb_result* r, int index, int64_t element, int64_t* out) {
  return guarded([&] {
    c10::IValue v = element_at(r, index, element);
    *out = v.isBool() ? v.toBool() : v.toInt();
  });
}

int tb_result_double(tb_result* r, int index, int64_t element, double* out) {
  return guarded([&] {
    c10::IValue v = element_at(r, index, element);
    *out = v.isInt() ? static_cast<double>(v.toInt()) : v.toDouble();
  });
}

int tb_result_string(tb_result* r, int index, char* buffer, int64_t capacity, int64_t* needed) {
  return guarded([&] { copy_out(result_at(r, index).toStringRef(), buffer, capacity, needed); });
}

int tb_set_requires_grad(tb_tensor* t, int requires_grad) {
  return guarded([&] { deref(t).set_requires_grad(requires_grad != 0); });
}

int tb_backward(tb_tensor* t, tb_tensor* gradient, int retain_graph, int create_graph) {
  return guarded([&] {
    at::Tensor grad = gradient ? gradient->tensor : at::Tensor();
    deref(t).backward(grad, retain_graph ? c10::optional<bool>(true) : c10::optional<bool>(c10::nullopt),
                      create_graph != 0);
  });
}

int tb_grad(tb_tensor* t, tb_tensor** out) {
  return guarded([&] { *out = wrap(deref(t).grad()); });
}

int tb_grad_fn_name(tb_tensor* t, char* buffer, int64_t capacity) {
  return guarded([&] {
    const auto& fn = deref(t).grad_fn();
    std::string name = fn ? fn->name() : std::string();
    auto colon = name.rfind("::");  // "torch::autograd::generated::AddBackward0" -> "AddBackward0"
    if (colon != std::string::npos) name = name.substr(colon + 2);
    std::snprintf(buffer, static_cast<size_t>(capacity), "%s", name.c_str());
  });
}

int tb_set_grad(tb_tensor* t, tb_tensor* grad) {
  return guarded([&] { deref(t).mutable_grad() = grad ? grad->tensor : at::Tensor(); });
}

int tb_manual_seed(uint64_t seed) {
  return guarded([&] {
    at::manual_seed(seed);
  });
}

int tb_set_num_threads(int count) {
  return guarded([&] {
    if (count < 1) throw ArgumentError("thread count must be at least 1, not " + std::to_string(count));
    at::set_num_threads(count);
  });
}

int tb_num_threads(int* out) {
  return guarded([&] { *out = at::get_num_threads(); });
}

int tb_apply_thread_state(const tb_thread_state* state) {
  return guarded([&] { apply_thread_state(state); });
}

int tb_cuda_available(int* out) {
  return guarded([&] { *out = torch::cuda::is_available(); });
}

int tb_cuda_device_count(int* out) {
  return guarded([&] { *out = static_cast<int>(torch::cuda::device_count()); });
}

int tb_cuda_device_info(int index, char* name, int64_t name_capacity, int* major, int* minor,
                        int64_t* total_memory, int64_t* free_memory) {
#ifdef TB_WITH_CUDA
  return guarded([&] {
    int count = static_cast<int>(torch::cuda::device_count());
    if (index < 0 || index >= count)
      throw ArgumentError("CUDA device " + std::to_string(index) + " does not exist (" + std::to_string(count) +
                          " devices)");
    cudaDeviceProp* props = at::cuda::getDeviceProperties(index);
    copy_out(props->name, name, name_capacity, nullptr);
    *major = props->major;
    *minor = props->minor;
    *total_memory = static_cast<int64_t>(props->totalGlobalMem);
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index));
    size_t free = 0, total = 0;
    *free_memory = cudaMemGetInfo(&free, &total) == cudaSuccess ? static_cast<int64_t>(free) : -1;
  });
#else
  (void)index; (void)name; (void)name_capacity; (void)major; (void)minor; (void)total_memory; (void)free_memory;
  return fail(TB_ERR_CUDA_MISSING, "this tensorbridge shim was built without CUDA support");
#endif
}

int tb_cudnn_version(int64_t* out) {
  return guarded([&] {
    *out = -1;
    if (at::detail::getCUDAHooks().hasCuDNN()) *out = at::detail::getCUDAHooks().versionCuDNN();
  });
}

int tb_cuda_synchronize(int device_index) {
  return guarded([&] {
    if (!torch::cuda::is_available()) throw CudaMissing("no CUDA device is usable (torch::cuda::is_available() is false)");
    torch::cuda::synchronize(device_index);
  });
}

// ---- the GPU data path ----

#ifdef TB_WITH_CUDA
namespace {
void require_cuda() {
  if (!torch::cuda::is_available()) throw CudaMissing("no CUDA device is usable (torch::cuda::is_available() is false)");
}

c10::cuda::CUDAStream& stream_of(tb_stream* s) {
  if (s == nullptr) throw ArgumentError("null stream handle");
  return s->stream;
}

at::cuda::CUDAEvent& event_of(tb_event* e) {
  if (e == nullptr) throw ArgumentError("null event handle");
  return e->event;
}
}  // namespace

int tb_pinned_empty(int64_t nbytes, tb_tensor** out) {
  return guarded([&] {
    require_cuda();
    *out = new tb_tensor{at::empty({nbytes}, at::TensorOptions().dtype(at::kByte).pinned_memory(true))};
  });
}

int tb_stream_new(int device_index, int high_priority, tb_stream** out) {
  return guarded([&] {
    require_cuda();
    *out = new tb_stream{c10::cuda::getStreamFromPool(high_priority != 0, static_cast<c10::DeviceIndex>(device_index))};
  });
}

int tb_stream_current(int device_index, tb_stream** out) {
  return guarded([&] {
    require_cuda();
    *out = new tb_stream{c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device_index))};
  });
}

int tb_stream_synchronize(tb_stream* stream) {
  return guarded([&] { stream_of(stream).synchronize(); });
}

int tb_stream_query(tb_stream* stream, int* done) {
  return guarded([&] { *done = stream_of(stream).query(); });
}

int tb_stream_info(tb_stream* stream, int* device_index, int64_t* id) {
  return guarded([&] {
    *device_index = stream_of(stream).device_index();
    *id = static_cast<int64_t>(stream_of(stream).id());
  });
}

int tb_stream_free(tb_stream* stream) {
  return guarded([&] { delete stream; });
}

int tb_event_new(int enable_timing, tb_event** out) {
  return guarded([&] {
    require_cuda();
    *out = new tb_event{at::cuda::CUDAEvent(enable_timing ? cudaEventDefault : cudaEventDisableTiming)};
  });
}

int tb_event_record(tb_event* event, tb_stream* stream) {
  return guarded([&] {
    if (stream == nullptr) event_of(event).record();
    else event_of(event).record(stream_of(stream));
  });
}

int tb_event_block(tb_event* event, tb_stream* stream) {
  return guarded([&] { event_of(event).block(stream_of(stream)); });
}

int tb_event_synchronize(tb_event* event) {
  return guarded([&] { event_of(event).synchronize(); });
}

int tb_event_query(tb_event* event, int* done) {
  return guarded([&] { *done = event_of(event).query(); });
}

int tb_event_elapsed_ms(tb_event* start, tb_event* end, double* ms) {
  return guarded([&] { *ms = event_of(start).elapsed_time(event_of(end)); });
}

int tb_event_free(tb_event* event) {
  return guarded([&] { delete event; });
}

int tb_cuda_memory_stats(int device_index, int64_t* out) {
  return guarded([&] {
    require_cuda();
    if (device_index < 0 || device_index >= static_cast<int>(torch::cuda::device_count())) {
      throw ArgumentError("no CUDA device " + std::to_string(device_index) + " (this machine has " +
                          std::to_string(torch::cuda::device_count()) + ")");
    }
    out[0] = out[1] = out[2] = out[3] = 0;
    try {
      auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device_index));
      // Index 0 is StatType::AGGREGATE in every libtorch since 1.5.
      out[0] = stats.allocated_bytes[0].current;
      out[1] = stats.allocated_bytes[0].peak;
      out[2] = stats.reserved_bytes[0].current;
      out[3] = stats.reserved_bytes[0].peak;
    } catch (const c10::Error&) {
      // The allocator is not initialised before the first CUDA use: nothing allocated yet, as
      // torch.cuda.memory_stats() reports then.
    }
  });
}

int tb_record_stream(tb_tensor* t, tb_stream* stream) {
  return guarded([&] {
    const at::Tensor& tensor = deref(t);
    if (!tensor.is_cuda()) throw ArgumentError("recordStream needs a CUDA tensor, this one is on " + tensor.device().str());
    tensor.record_stream(stream_of(stream));
  });
}

int tb_cuda_empty_cache(void) {
  return guarded([&] {
    require_cuda();
    try {
      c10::cuda::CUDACachingAllocator::emptyCache();
    } catch (const c10::Error&) {
      // not initialised yet: nothing cached (torch.cuda.empty_cache() is a no-op then too)
    }
  });
}

int tb_cuda_reset_peak_stats(int device_index) {
  return guarded([&] {
    require_cuda();
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device_index));
  });
}
#else
#define TB_NO_CUDA(signature) \
  signature { return fail(TB_ERR_CUDA_MISSING, "this tensorbridge shim was built without CUDA support"); }
TB_NO_CUDA(int tb_pinned_empty(int64_t, tb_tensor**))
TB_NO_CUDA(int tb_stream_new(int, int, tb_stream**))
TB_NO_CUDA(int tb_stream_current(int, tb_stream**))
TB_NO_CUDA(int tb_stream_synchronize(tb_stream*))
TB_NO_CUDA(int tb_stream_query(tb_stream*, int*))
TB_NO_CUDA(int tb_stream_info(tb_stream*, int*, int64_t*))
TB_NO_CUDA(int tb_stream_free(tb_stream*))
TB_NO_CUDA(int tb_event_new(int, tb_event**))
TB_NO_CUDA(int tb_event_record(tb_event*, tb_stream*))
TB_NO_CUDA(int tb_event_block(tb_event*, tb_stream*))
TB_NO_CUDA(int tb_event_synchronize(tb_event*))
TB_NO_CUDA(int tb_event_query(tb_event*, int*))
TB_NO_CUDA(int tb_event_elapsed_ms(tb_event*, tb_event*, double*))
TB_NO_CUDA(int tb_event_free(tb_event*))
TB_NO_CUDA(int tb_cuda_memory_stats(int, int64_t*))
TB_NO_CUDA(int tb_cuda_empty_cache(void))
TB_NO_CUDA(int tb_cuda_reset_peak_stats(int))
TB_NO_CUDA(int tb_record_stream(tb_tensor*, tb_stream*))
#endif

}  // extern "C"

// ---- TorchScript (appended): load a scripted or traced module and run forward ----
#include <torch/script.h>

struct tb_script {
  torch::jit::Module module;
};

extern "C" {

int tb_script_load(const char* path, int device_type, int device_index, tb_script** out) {
  *out = nullptr;
  return guarded([&] {
    if (path == nullptr) throw ArgumentError("null path");
    c10::optional<c10::Device> device;
    if (device_type >= 0) {
      device = c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
    }
    torch::jit::Module module = torch::jit::load(std::string(path), device);
    module.eval();
    *out = new tb_script{std::move(module)};
  });
}

int tb_script_forward(tb_script* script, tb_tensor* const* inputs, int count, const tb_thread_state* state,
                      tb_tensor** out) {
  *out = nullptr;
  return guarded([&] {
    if (script == nullptr) throw ArgumentError("null script module handle");
    apply_thread_state(state);
    std::vector<c10::IValue> args;
    args.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; i++) args.emplace_back(deref(inputs[i]));
    c10::IValue result = script->module.forward(std::move(args));
    if (!result.isTensor()) {
      throw TypeMismatch(std::string("the script module's forward returned a ") + result.tagKind() +
                         ", not a tensor");
    }
    *out = wrap(result.toTensor());
  });
}

int tb_script_free(tb_script* script) {
  return guarded([&] { delete script; });
}

}  // extern "C"
// ===== distributed (c10d): process groups (issue #15) =====
// Process groups over a TCP or file store. Compiled only with -DTB_WITH_C10D, which build.sh sets when the libtorch has
// c10d and at least one backend can be built: Gloo (-DTB_WITH_GLOO, with Gloo's headers) and/or NCCL (-DTB_WITH_NCCL,
// a CUDA libtorch and nccl.h).
#ifdef TB_WITH_C10D
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#ifdef TB_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef TB_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>

// 1.13's backends are ProcessGroups; from 2.0 on they are c10d::Backends under a ProcessGroup.
#if TB_TORCH_AT_LEAST(2, 0)
using PgBackend = c10d::Backend;
#else
using PgBackend = c10d::ProcessGroup;
#endif

// A group holds Gloo (CPU tensors) and/or NCCL (CUDA tensors) over one store, as PyTorch 2.x's default
// "cpu:gloo,cuda:nccl" group does; each collective goes to the backend of its tensors' device.
struct tb_pg {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<PgBackend> backend;  // Gloo
  c10::intrusive_ptr<PgBackend> nccl;
};

struct tb_work {
  c10::intrusive_ptr<c10d::Work> work;
};

namespace {

const char* const kNoGloo =
    "this tensorbridge shim was built without Gloo (CPU tensors): Gloo's headers were not found (on Debian/Ubuntu: "
    "apt-get install libgloo-dev), then rebuild the shim with torch/native/build.sh";

const char* const kNoNccl =
#ifdef TB_WITH_NCCL
    "this group has no NCCL backend (no CUDA device was usable when it was created)";
#else
    "this tensorbridge shim was built without NCCL (a CPU-only libtorch, or no nccl.h was found: see "
    "libtensorbridge.properties, nccl.reason)";
#endif

// The backend for tensors on `device`: NCCL for CUDA, Gloo otherwise.
c10::intrusive_ptr<PgBackend>& backend_ptr(tb_pg* pg, c10::DeviceType device) {
  if (pg == nullptr || (!pg->backend && !pg->nccl)) throw ArgumentError("null or closed process group handle");
  if (device == c10::DeviceType::CUDA) {
    if (!pg->nccl) throw ArgumentError(std::string("CUDA tensors need the NCCL backend: ") + kNoNccl);
    return pg->nccl;
  }
  if (!pg->backend) throw ArgumentError(std::string(c10::DeviceTypeName(device)) +
                                        " tensors need the Gloo backend, and this group has NCCL only");
  return pg->backend;
}

PgBackend& backend_for(tb_pg* pg, const std::vector<at::Tensor>& tensors) {
  return *backend_ptr(pg, tensors.empty() ? c10::DeviceType::CPU : tensors[0].device().type());
}

// Collectives without tensors (barrier): Gloo when the group has it.
PgBackend& any_backend(tb_pg* pg) {
  if (pg == nullptr || (!pg->backend && !pg->nccl)) throw ArgumentError("null or closed process group handle");
  return pg->backend ? *pg->backend : *pg->nccl;
}

c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case TB_REDUCE_SUM: return c10d::ReduceOp(c10d::ReduceOp::SUM);
    case TB_REDUCE_PRODUCT: return c10d::ReduceOp(c10d::ReduceOp::PRODUCT);
    case TB_REDUCE_MIN: return c10d::ReduceOp(c10d::ReduceOp::MIN);
    case TB_REDUCE_MAX: return c10d::ReduceOp(c10d::ReduceOp::MAX);
    default: throw ArgumentError("unknown reduce op " + std::to_string(op));
  }
}

std::vector<at::Tensor> tensors_of(tb_tensor* const* tensors, int count) {
  if (count < 0 || (count > 0 && tensors == nullptr)) throw ArgumentError("bad tensor list");
  std::vector<at::Tensor> out;
  out.reserve(count);
  for (int i = 0; i < count; i++) out.push_back(deref(tensors[i]));
  return out;
}

// c10d's TCPStore has no bind address: it listens on every interface. From 2.1 on it takes over a socket bound
// beforehand (TCPStoreOptions::masterListenFd), so rank 0 binds the master address itself: loopback stays loopback.
// Older libtorch (1.13) cannot take a socket: there tensorbridge_store.hpp's ServedStore serves the keys from a
// socket rank 0 binds the same way.
#define TB_STORE_BINDS_ADDRESS TB_TORCH_AT_LEAST(2, 1)
using addresses = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

// The TCP addresses of host:port (numeric port), or an error naming `what` the address is.
addresses resolve_tcp(const std::string& host, int port, const char* what) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) throw std::runtime_error(std::string("cannot resolve the ") + what + " " + host + ": " + gai_strerror(rc));
  return addresses(found, freeaddrinfo);
}

int listen_on(const std::string& host, int port) {
  addresses found = resolve_tcp(host, port, "master address");
  std::string error = "no address";
  for (addrinfo* ai = found.get(); ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) return fd;
    error = std::strerror(errno);
    close(fd);
  }
  throw std::runtime_error("the store cannot listen on " + host + ":" + std::to_string(port) + ": " + error);
}

}  // namespace

#if !TB_STORE_BINDS_ADDRESS
#include "tensorbridge_store.hpp"
#endif

namespace {

void put_work(c10::intrusive_ptr<c10d::Work> work, tb_work** out) {
  if (out == nullptr) throw ArgumentError("null output pointer");
  *out = new tb_work{std::move(work)};
}

}  // namespace

extern "C" {

int tb_dist_available(char* reason, int64_t capacity) {
#ifdef TB_WITH_GLOO
  copy_out("", reason, capacity, nullptr);
  return 1;
#else
  copy_out(kNoGloo, reason, capacity, nullptr);
  return 0;
#endif
}

// Rank 0's TCP store listens on the master address only: with c10d's TCPStore (2.1+) or with ServedStore (older).
int tb_dist_store_binds_address(void) {
  return 1;
}

int tb_dist_nccl_available(char* reason, int64_t capacity) {
#ifdef TB_WITH_NCCL
  int devices = 0;
  int status = guarded([&] { devices = static_cast<int>(torch::cuda::device_count()); });
  if (status == TB_OK && devices > 0) {
    copy_out("", reason, capacity, nullptr);
    return 1;
  }
  copy_out("the shim has NCCL, but no CUDA device is usable here (run `tensorbridge doctor`)", reason, capacity, nullptr);
  return 0;
#else
  copy_out(kNoNccl, reason, capacity, nullptr);
  return 0;
#endif
}

int tb_pg_new(int backend, int store_kind, const char* address, int port, int is_server, int rank, int world_size,
              const char* gloo_hostname, int64_t timeout_ms, tb_pg** out) {
  return guarded([&] {
    if (backend == 0) backend = TB_BACKEND_GLOO;
    if ((backend & ~(TB_BACKEND_GLOO | TB_BACKEND_NCCL)) != 0) throw ArgumentError("unknown backend " + std::to_string(backend));
#ifndef TB_WITH_NCCL
    if (backend & TB_BACKEND_NCCL) throw c10::NotImplementedError({__func__, __FILE__, __LINE__}, kNoNccl);
#endif
#ifndef TB_WITH_GLOO
    if (backend & TB_BACKEND_GLOO) throw c10::NotImplementedError({__func__, __FILE__, __LINE__}, kNoGloo);
#endif
    if (address == nullptr) throw ArgumentError("null store address");
    if (world_size < 1 || rank < 0 || rank >= world_size)
      throw ArgumentError("rank " + std::to_string(rank) + " is outside a world of size " + std::to_string(world_size));
    auto timeout = std::chrono::milliseconds(timeout_ms);
    auto pg = std::make_unique<tb_pg>();
    if (store_kind == TB_STORE_TCP) {
      if (port <= 0 || port > 65535) throw ArgumentError("port " + std::to_string(port) + " is not a TCP port");
#if TB_STORE_BINDS_ADDRESS
      c10d::TCPStoreOptions opts;
      opts.port = static_cast<std::uint16_t>(port);
      opts.isServer = is_server != 0;
      opts.numWorkers = static_cast<std::size_t>(world_size);
      opts.waitWorkers = true;
      opts.timeout = timeout;
#if TB_TORCH_AT_LEAST(2, 4)
      // 2.4+ asks for the libuv backend by default, and fails where libtorch was built without libuv (Debian 13's
      // 2.6); the classic backend is in every build and serves a few ranks as well.
      opts.useLibUV = false;
#endif
      if (opts.isServer) opts.masterListenFd = listen_on(address, port);
      pg->store = c10::make_intrusive<c10d::TCPStore>(std::string(address), opts);
#else
      pg->store = c10::make_intrusive<tb_store::ServedStore>(
          std::string(address), port, is_server ? listen_on(address, port) : -1, world_size, timeout);
#endif
    } else if (store_kind == TB_STORE_FILE) {
      pg->store = c10::make_intrusive<c10d::FileStore>(std::string(address), world_size);
      pg->store->setTimeout(timeout);
    } else {
      throw ArgumentError("unknown store kind " + std::to_string(store_kind));
    }
    // Every tensorbridge rank records its world size before joining; once joined (so every peer has written
    // its key, if it is a tensorbridge rank), a rank compares the keys it finds. Gloo itself does not always notice
    // ranks started with different world sizes (2.x lets rank 0 of 2 join a rank 1 of 3). Python ranks write no
    // key and are not checked.
    const std::string key = "tensorbridge/world_size/";
    auto bytes = [](const std::string& v) { return std::vector<uint8_t>(v.begin(), v.end()); };
    pg->store->set(key + std::to_string(rank), bytes(std::to_string(world_size)));
#ifdef TB_WITH_GLOO
    if (backend & TB_BACKEND_GLOO) {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      options->devices.push_back(gloo_hostname && *gloo_hostname
                                     ? c10d::ProcessGroupGloo::createDeviceForHostname(gloo_hostname)
                                     : c10d::ProcessGroupGloo::createDefaultDevice());
      options->threads = 2;
      pg->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(pg->store, rank, world_size, options);
    }
#endif
#ifdef TB_WITH_NCCL
    if (backend & TB_BACKEND_NCCL) {
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = timeout;
      // Its own key space in the store, beside Gloo's. The communicators are made at the first collective.
      pg->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(
          c10::make_intrusive<c10d::PrefixStore>("nccl", pg->store), rank, world_size, nccl_options);
    }
#endif
    for (int other = 0; other < world_size; other++) {
      if (other == rank || !pg->store->check({key + std::to_string(other)})) continue;
      auto value = pg->store->get(key + std::to_string(other));
      std::string theirs(value.begin(), value.end());
      if (theirs != std::to_string(world_size))
        throw std::runtime_error("the ranks disagree on WORLD_SIZE: rank " + std::to_string(other) + " was started with " +
                                 theirs + ", this rank with " + std::to_string(world_size));
    }
    *out = pg.release();
  });
}

int tb_pg_free(tb_pg* pg) {
  return guarded([&] {
#if defined(TB_WITH_NCCL) && TB_TORCH_AT_LEAST(2, 4)
    // NCCL's watchdog expects an orderly shutdown (destroy_process_group) before the destructor.
    if (pg != nullptr && pg->nccl) pg->nccl->shutdown();
#endif
    delete pg;
  });
}

int tb_pg_allreduce(tb_pg* pg, tb_tensor* const* tensors, int count, int op, tb_work** out) {
  return guarded([&] {
    auto list = tensors_of(tensors, count);
    c10d::AllreduceOptions opts;
    opts.reduceOp = reduce_op(op);
    put_work(backend_for(pg, list).allreduce(list, opts), out);
  });
}

int tb_pg_broadcast(tb_pg* pg, tb_tensor* const* tensors, int count, int root, tb_work** out) {
  return guarded([&] {
    auto list = tensors_of(tensors, count);
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    opts.rootTensor = 0;
    put_work(backend_for(pg, list).broadcast(list, opts), out);
  });
}

int tb_pg_allgather(tb_pg* pg, tb_tensor* const* outputs, int count, tb_tensor* input, tb_work** out) {
  return guarded([&] {
    std::vector<std::vector<at::Tensor>> outs{tensors_of(outputs, count)};
    std::vector<at::Tensor> ins{deref(input)};
    put_work(backend_for(pg, ins).allgather(outs, ins), out);
  });
}

int tb_pg_reduce_scatter(tb_pg* pg, tb_tensor* output, tb_tensor* const* inputs, int count, int op, tb_work** out) {
  return guarded([&] {
    std::vector<at::Tensor> outs{deref(output)};
    std::vector<std::vector<at::Tensor>> ins{tensors_of(inputs, count)};
    c10d::ReduceScatterOptions opts;
    opts.reduceOp = reduce_op(op);
    put_work(backend_for(pg, outs).reduce_scatter(outs, ins, opts), out);
  });
}

int tb_pg_barrier(tb_pg* pg, tb_work** out) {
  return guarded([&] { put_work(any_backend(pg).barrier(), out); });
}

int tb_pg_store(tb_pg* pg, int op, const char* key, const uint8_t* a, int64_t a_len, const uint8_t* b, int64_t b_len,
                int64_t number, uint8_t* out, int64_t capacity, int64_t* out_len, int64_t* out_number) {
  return guarded([&] {
    if (pg == nullptr || !pg->store) throw ArgumentError("null or closed process group handle");
    if (key == nullptr) throw ArgumentError("null store key");
    if (a_len < 0 || b_len < 0 || (a_len > 0 && a == nullptr) || (b_len > 0 && b == nullptr) || capacity < 0 ||
        (capacity > 0 && out == nullptr) || out_len == nullptr || out_number == nullptr)
      throw ArgumentError("bad store buffers");
    c10d::Store& store = *pg->store;
    std::vector<uint8_t> first(a, a + a_len), second(b, b + b_len), result;
    *out_number = 0;
    switch (op) {
      case TB_STORE_SET: store.set(key, first); break;
      case TB_STORE_GET: result = store.get(key); break;
      case TB_STORE_ADD: *out_number = store.add(key, number); break;
      case TB_STORE_COMPARE_SET: result = store.compareSet(key, first, second); break;
      case TB_STORE_DELETE: *out_number = store.deleteKey(key) ? 1 : 0; break;
      case TB_STORE_CHECK: *out_number = store.check({key}) ? 1 : 0; break;
      case TB_STORE_NUM_KEYS: *out_number = store.getNumKeys(); break;
      case TB_STORE_WAIT: store.wait({key}, std::chrono::milliseconds(number)); break;
      default: throw ArgumentError("unknown store operation " + std::to_string(op));
    }
    *out_len = static_cast<int64_t>(result.size());
    if (!result.empty()) std::memcpy(out, result.data(), std::min<size_t>(result.size(), static_cast<size_t>(capacity)));
  });
}

int tb_work_wait(tb_work* work, int64_t timeout_ms, int* timed_out) {
  return guarded([&] {
    if (work == nullptr || !work->work) throw ArgumentError("null work handle");
    *timed_out = 0;
    if (timeout_ms <= 0) {
      work->work->wait();
      return;
    }
    try {
      work->work->wait(std::chrono::milliseconds(timeout_ms));
    } catch (const c10::Error& e) {
      // Work::wait(timeout) reports its own timeout as an error; anything else (a peer gone) stays one.
      std::string message = e.what_without_backtrace();
      if (message.find("Operation timed out") == std::string::npos) throw;
      *timed_out = 1;
    }
  });
}

int tb_work_is_completed(tb_work* work, int* out) {
  return guarded([&] {
    if (work == nullptr || !work->work) throw ArgumentError("null work handle");
    *out = work->work->isCompleted();
  });
}

int tb_work_free(tb_work* work) {
  return guarded([&] { delete work; });
}

}  // extern "C"

// ----- DataParallel's gradient reducer: buckets all-reduced from autograd hooks, overlapping backward -----
// As PyTorch's c10d Reducer does it: a post hook on each parameter's grad accumulator runs right after the
// accumulator wrote the parameter's .grad, copies it into its bucket's flat buffer and, once a bucket's last
// gradient is in, starts that bucket's all-reduce, while backward goes on with the other layers. Buckets start
// in index order on every rank (a ready bucket waits for the ones before it), so all ranks issue the same
// collectives in the same order whatever order the gradients arrive in. Everything runs in C++ on the autograd
// thread: no upcall into Java. tb_ddp_finish completes the round: buckets not started (a parameter that got no
// gradient this round, or no backward since the last finish) are packed from the current .grad (zeros where
// undefined) and started, then every bucket is awaited, divided by the world size and copied back into .grad.
namespace {

using GradAccumulator = decltype(torch::autograd::impl::grad_accumulator(std::declval<const at::Tensor&>()));

struct ReducerBucket {
  at::Tensor flat;
  std::vector<size_t> members;    // parameter indices
  std::vector<int64_t> offsets;   // each member's start in flat
  size_t pending = 0;             // members without their gradient this round
  c10::intrusive_ptr<c10d::Work> work;
};

struct ReducerState {
  std::mutex mu;
  c10::intrusive_ptr<PgBackend> group;
  int world_size = 1;
  std::vector<at::Tensor> params;
  std::vector<int> bucket_of;     // -1: not reduced (frozen)
  std::vector<int64_t> slot_of;   // index into the bucket's members
  std::vector<ReducerBucket> buckets;
  std::vector<char> ready;
  bool sync = true;
  bool in_round = false;
  bool dead = false;
  size_t next_bucket = 0;
  size_t reduced_params = 0;
  size_t grads_pending = 0;
  // statistics of the last finished round (TB_DDP_STAT_*)
  int64_t rounds = 0, started_in_backward = 0, started_at_finish = 0, pending_at_first_start = -1;
  int64_t cur_in_backward = 0, cur_pending_at_first = -1;

  at::Tensor slot(size_t param) {
    auto& b = buckets[bucket_of[param]];
    int64_t start = b.offsets[slot_of[param]];
    return b.flat.narrow(0, start, params[param].numel());
  }

  void begin_round() {
    in_round = true;
    std::fill(ready.begin(), ready.end(), 0);
    for (auto& b : buckets) {
      b.pending = b.members.size();
      b.work.reset();
    }
    next_bucket = 0;
    grads_pending = reduced_params;
    cur_in_backward = 0;
    cur_pending_at_first = -1;
  }

  void pack(size_t param) {
    at::NoGradGuard no_grad;
    const at::Tensor& grad = params[param].grad();
    at::Tensor s = slot(param);
    TORCH_CHECK(!grad.defined() || grad.layout() == c10::kStrided, "DataParallel: parameter ", param,
                " has a sparse gradient, which DataParallel does not reduce: use a dense gradient (e.g. Embedding "
                "without sparse=True)");
    if (grad.defined()) {
      s.copy_(grad.reshape({-1}));
    } else {
      s.zero_();
    }
    ready[param] = 1;
    grads_pending--;
    buckets[bucket_of[param]].pending--;
  }

  // Starts every bucket from next_bucket on whose gradients are all in, in order.
  void start_ready(bool in_backward) {
    while (next_bucket < buckets.size() && buckets[next_bucket].pending == 0) {
      auto& b = buckets[next_bucket++];
      std::vector<at::Tensor> list{b.flat};
      c10d::AllreduceOptions opts;
      opts.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM);
      b.work = group->allreduce(list, opts);
      if (cur_pending_at_first < 0) cur_pending_at_first = static_cast<int64_t>(grads_pending);
      if (in_backward) cur_in_backward++;
    }
  }

  // The hook: parameter `param`'s accumulator has just written its .grad.
  void on_grad(size_t param) {
    std::lock_guard<std::mutex> lock(mu);
    if (dead || !sync || bucket_of[param] < 0) return;
    if (!in_round) begin_round();
    TORCH_CHECK(!ready[param], "DataParallel: parameter ", param,
                " got a second gradient before the first was averaged: a backward ran twice without "
                "synchronizeGradients() in between. Call ddp.backward(loss) (or synchronizeGradients()) after each "
                "backward, or accumulate gradients inside ddp.noSync()");
    pack(param);
    start_ready(true);
  }

  void finish() {
    std::lock_guard<std::mutex> lock(mu);
    TORCH_CHECK(!dead, "DataParallel: the reducer is closed");
    if (!in_round) begin_round();
    for (size_t i = 0; i < params.size(); i++) {
      if (bucket_of[i] >= 0 && !ready[i]) pack(i);
    }
    start_ready(false);
    in_round = false;  // whatever happens below, the next backward starts a new round
    for (auto& b : buckets) b.work->wait();
    at::NoGradGuard no_grad;
    for (auto& b : buckets) {
      b.flat.div_(world_size);
      for (size_t k = 0; k < b.members.size(); k++) {
        at::Tensor& p = params[b.members[k]];
        at::Tensor averaged = b.flat.narrow(0, b.offsets[k], p.numel()).view(p.sizes());
        at::Tensor& grad = p.mutable_grad();
        if (grad.defined()) {
          grad.copy_(averaged);
        } else {
          grad = averaged.clone();
        }
      }
      b.work.reset();
    }
    rounds++;
    started_in_backward = cur_in_backward;
    started_at_finish = static_cast<int64_t>(buckets.size()) - cur_in_backward;
    pending_at_first_start = cur_pending_at_first;
  }
};

struct ReducerHook : torch::autograd::FunctionPostHook {
  ReducerHook(std::shared_ptr<ReducerState> state, size_t param) : state(std::move(state)), param(param) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                           const torch::autograd::variable_list& /*inputs*/) override {
    state->on_grad(param);
    return outputs;
  }
  std::shared_ptr<ReducerState> state;
  size_t param;
};

}  // namespace

struct tb_ddp {
  std::shared_ptr<ReducerState> state;
  std::vector<GradAccumulator> accumulators;  // kept alive so that the hooks stay on them (as c10d's Reducer does)
  std::vector<uintptr_t> hook_keys;
};

extern "C" {

int tb_ddp_new(tb_pg* pg, tb_tensor* const* params, int count, const int32_t* bucket_of, int bucket_count,
               tb_ddp** out) {
  return guarded([&] {
    if (out == nullptr || (count > 0 && bucket_of == nullptr) || bucket_count < 0) throw ArgumentError("bad arguments");
    auto state = std::make_shared<ReducerState>();
    state->params = tensors_of(params, count);
    std::optional<c10::Device> device;
    for (int i = 0; i < count; i++) {
      if (bucket_of[i] < 0) continue;
      c10::Device d = state->params[i].device();
      if (device && *device != d)
        throw ArgumentError("the parameters are on " + device->str() + " and " + d.str() + ": one device per replica");
      device = d;
    }
    state->group = backend_ptr(pg, device ? device->type() : c10::DeviceType::CPU);
    state->world_size = state->group->getSize();
    state->bucket_of.assign(bucket_of, bucket_of + count);
    state->slot_of.assign(count, -1);
    state->ready.assign(count, 0);
    std::vector<int64_t> numel(bucket_count, 0);
    std::vector<c10::ScalarType> dtype(bucket_count, c10::ScalarType::Undefined);
    c10::Device where = device.value_or(c10::Device(c10::DeviceType::CPU));
    state->buckets.resize(bucket_count);
    for (int i = 0; i < count; i++) {
      int b = bucket_of[i];
      if (b < 0) continue;
      if (b >= bucket_count) throw ArgumentError("parameter " + std::to_string(i) + ": bucket " + std::to_string(b) +
                                                 " is outside 0.." + std::to_string(bucket_count - 1));
      const at::Tensor& p = state->params[i];
      if (!p.requires_grad() || !p.is_leaf())
        throw ArgumentError("parameter " + std::to_string(i) + " must be a leaf tensor that requires grad");
      if (dtype[b] != c10::ScalarType::Undefined && dtype[b] != p.scalar_type())
        throw ArgumentError("bucket " + std::to_string(b) + " mixes dtypes");
      dtype[b] = p.scalar_type();
      auto& bucket = state->buckets[b];
      state->slot_of[i] = static_cast<int64_t>(bucket.members.size());
      bucket.members.push_back(i);
      bucket.offsets.push_back(numel[b]);
      numel[b] += p.numel();
      state->reduced_params++;
    }
    for (int b = 0; b < bucket_count; b++) {
      if (state->buckets[b].members.empty()) throw ArgumentError("bucket " + std::to_string(b) + " is empty");
      state->buckets[b].flat = at::zeros({numel[b]}, at::TensorOptions().dtype(dtype[b]).device(where));
    }
    auto ddp = std::make_unique<tb_ddp>();
    ddp->state = state;
    for (int i = 0; i < count; i++) {
      if (bucket_of[i] < 0) continue;
      auto accumulator = torch::autograd::impl::grad_accumulator(state->params[i]);
      TORCH_CHECK(accumulator, "parameter ", i, " has no gradient accumulator");
      ddp->hook_keys.push_back(accumulator->add_post_hook(std::make_unique<ReducerHook>(state, i)));
      ddp->accumulators.push_back(std::move(accumulator));
    }
    *out = ddp.release();
  });
}

int tb_ddp_set_sync(tb_ddp* ddp, int enabled) {
  return guarded([&] {
    if (ddp == nullptr) throw ArgumentError("null reducer handle");
    std::lock_guard<std::mutex> lock(ddp->state->mu);
    ddp->state->sync = enabled != 0;
  });
}

int tb_ddp_finish(tb_ddp* ddp) {
  return guarded([&] {
    if (ddp == nullptr) throw ArgumentError("null reducer handle");
    ddp->state->finish();
  });
}

int tb_ddp_stats(tb_ddp* ddp, int64_t* out, int count) {
  return guarded([&] {
    if (ddp == nullptr || out == nullptr) throw ArgumentError("null reducer handle or output");
    auto& s = *ddp->state;
    std::lock_guard<std::mutex> lock(s.mu);
    int64_t values[TB_DDP_STAT_COUNT] = {s.rounds, static_cast<int64_t>(s.buckets.size()), s.started_in_backward,
                                         s.started_at_finish, s.pending_at_first_start};
    for (int i = 0; i < count && i < TB_DDP_STAT_COUNT; i++) out[i] = values[i];
  });
}

int tb_ddp_free(tb_ddp* ddp) {
  return guarded([&] {
    if (ddp == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(ddp->state->mu);
      ddp->state->dead = true;
      // A round still in flight needs no wait: each work holds its own reference to its bucket's buffer.
      for (auto& b : ddp->state->buckets) b.work.reset();
    }
    for (size_t i = 0; i < ddp->accumulators.size(); i++) ddp->accumulators[i]->del_post_hook(ddp->hook_keys[i]);
    delete ddp;
  });
}

}  // extern "C"
#else
struct tb_pg {};
struct tb_work {};
struct tb_ddp {};

extern "C" {

#define TB_NO_C10D_MESSAGE                                                                                  \
  "this tensorbridge shim was built without distributed support: the libtorch it was built against lacks " \
  "c10d, or neither Gloo's headers (on Debian/Ubuntu: apt-get install libgloo-dev) nor NCCL were found; rebuild "  \
  "the shim with torch/native/build.sh"
#define TB_NO_C10D(signature) \
  signature { return fail(TB_ERR_NOT_IMPLEMENTED, TB_NO_C10D_MESSAGE); }

int tb_dist_available(char* reason, int64_t capacity) {
  copy_out(TB_NO_C10D_MESSAGE, reason, capacity, nullptr);
  return 0;
}
int tb_dist_store_binds_address(void) {
  return 0;
}
int tb_dist_nccl_available(char* reason, int64_t capacity) {
  copy_out(TB_NO_C10D_MESSAGE, reason, capacity, nullptr);
  return 0;
}
TB_NO_C10D(int tb_pg_new(int, int, const char*, int, int, int, int, const char*, int64_t, tb_pg**))
TB_NO_C10D(int tb_pg_free(tb_pg*))
TB_NO_C10D(int tb_pg_allreduce(tb_pg*, tb_tensor* const*, int, int, tb_work**))
TB_NO_C10D(int tb_pg_broadcast(tb_pg*, tb_tensor* const*, int, int, tb_work**))
TB_NO_C10D(int tb_pg_allgather(tb_pg*, tb_tensor* const*, int, tb_tensor*, tb_work**))
TB_NO_C10D(int tb_pg_reduce_scatter(tb_pg*, tb_tensor*, tb_tensor* const*, int, int, tb_work**))
TB_NO_C10D(int tb_pg_barrier(tb_pg*, tb_work**))
TB_NO_C10D(int tb_pg_store(tb_pg*, int, const char*, const uint8_t*, int64_t, const uint8_t*, int64_t, int64_t, uint8_t*,
                           int64_t, int64_t*, int64_t*))
TB_NO_C10D(int tb_work_wait(tb_work*, int64_t, int*))
TB_NO_C10D(int tb_work_is_completed(tb_work*, int*))
TB_NO_C10D(int tb_work_free(tb_work*))
TB_NO_C10D(int tb_ddp_new(tb_pg*, tb_tensor* const*, int, const int32_t*, int, tb_ddp**))
TB_NO_C10D(int tb_ddp_set_sync(tb_ddp*, int))
TB_NO_C10D(int tb_ddp_finish(tb_ddp*))
TB_NO_C10D(int tb_ddp_stats(tb_ddp*, int64_t*, int))
TB_NO_C10D(int tb_ddp_free(tb_ddp*))

}  // extern "C"
#endif
// ===== end distributed =====

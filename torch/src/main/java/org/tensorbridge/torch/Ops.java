package org.tensorbridge.torch;

/**
 * The operators behind Tensor's typed methods, resolved once. Overload names are the same in libtorch
 * 1.13 and 2.x.
 */
final class Ops {
    private Ops() {
    }

    static final Op EMPTY = Op.of("aten::empty", "memory_format");
    static final Op ZEROS = Op.of("aten::zeros", "");
    static final Op ONES = Op.of("aten::ones", "");
    static final Op FULL = Op.of("aten::full", "");
    static final Op ARANGE = Op.of("aten::arange", "start_step");
    static final Op LINSPACE = Op.of("aten::linspace", "");
    static final Op RAND = Op.of("aten::rand", "");
    static final Op RANDN = Op.of("aten::randn", "");
    static final Op RANDINT = Op.of("aten::randint", "low");
    static final Op EYE = Op.of("aten::eye", "");

    static final Op ADD = Op.of("aten::add", "Tensor");
    static final Op ADD_SCALAR = Op.of("aten::add", "Scalar");
    static final Op ADD_ = Op.of("aten::add_", "Tensor");
    static final Op ADD_SCALAR_ = Op.of("aten::add_", "Scalar");
    static final Op SUB_ = Op.of("aten::sub_", "Tensor");
    static final Op SUB_SCALAR_ = Op.of("aten::sub_", "Scalar");
    static final Op MUL_ = Op.of("aten::mul_", "Tensor");
    static final Op DIV_ = Op.of("aten::div_", "Tensor");
    static final Op DIV_SCALAR_ = Op.of("aten::div_", "Scalar");
    static final Op ZERO_ = Op.of("aten::zero_", "");
    static final Op FILL_ = Op.of("aten::fill_", "Scalar");
    static final Op CLAMP_ = Op.of("aten::clamp_", "");
    static final Op RELU_ = Op.of("aten::relu_", "");
    static final Op ADDCMUL_ = Op.of("aten::addcmul_", "");
    static final Op ADDCDIV_ = Op.of("aten::addcdiv_", "");
    static final Op LERP_ = Op.of("aten::lerp_", "Scalar");
    static final Op SUB = Op.of("aten::sub", "Tensor");
    static final Op SUB_SCALAR = Op.of("aten::sub", "Scalar");
    static final Op MUL = Op.of("aten::mul", "Tensor");
    static final Op MUL_SCALAR = Op.of("aten::mul", "Scalar");
    static final Op MUL_SCALAR_ = Op.of("aten::mul_", "Scalar");
    static final Op DIV = Op.of("aten::div", "Tensor");
    static final Op DIV_SCALAR = Op.of("aten::div", "Scalar");
    static final Op POW = Op.of("aten::pow", "Tensor_Tensor");
    static final Op POW_SCALAR = Op.of("aten::pow", "Tensor_Scalar");
    static final Op NEG = Op.of("aten::neg", "");

    static final Op ABS = Op.of("aten::abs", "");
    static final Op SQRT = Op.of("aten::sqrt", "");
    static final Op EXP = Op.of("aten::exp", "");
    static final Op LOG = Op.of("aten::log", "");
    static final Op SIN = Op.of("aten::sin", "");
    static final Op COS = Op.of("aten::cos", "");
    static final Op TANH = Op.of("aten::tanh", "");
    static final Op SIGMOID = Op.of("aten::sigmoid", "");
    static final Op RELU = Op.of("aten::relu", "");
    static final Op CLAMP = Op.of("aten::clamp", "");

    static final Op EQ = Op.of("aten::eq", "Tensor");
    static final Op EQ_SCALAR = Op.of("aten::eq", "Scalar");
    static final Op NE = Op.of("aten::ne", "Tensor");
    static final Op LT = Op.of("aten::lt", "Tensor");
    static final Op LT_SCALAR = Op.of("aten::lt", "Scalar");
    static final Op LE = Op.of("aten::le", "Tensor");
    static final Op GT = Op.of("aten::gt", "Tensor");
    static final Op GT_SCALAR = Op.of("aten::gt", "Scalar");
    static final Op GE = Op.of("aten::ge", "Tensor");
    static final Op EQUAL = Op.of("aten::equal", "");
    static final Op ALLCLOSE = Op.of("aten::allclose", "");

    static final Op MATMUL = Op.of("aten::matmul", "");
    static final Op MM = Op.of("aten::mm", "");
    static final Op BMM = Op.of("aten::bmm", "");
    static final Op DOT = Op.of("aten::dot", "");
    static final Op T = Op.of("aten::t", "");

    static final Op SUM = Op.of("aten::sum", "");
    static final Op SUM_DIM = Op.of("aten::sum", "dim_IntList");
    static final Op MEAN = Op.of("aten::mean", "");
    static final Op MEAN_DIM = Op.of("aten::mean", "dim");
    static final Op STD = Op.of("aten::std", "correction");
    static final Op VAR = Op.of("aten::var", "correction");
    static final Op MAX = Op.of("aten::max", "");
    static final Op MIN = Op.of("aten::min", "");
    static final Op MAX_DIM = Op.of("aten::max", "dim");
    static final Op MIN_DIM = Op.of("aten::min", "dim");
    static final Op ARGMAX = Op.of("aten::argmax", "");

    static final Op VIEW = Op.of("aten::view", "");
    static final Op RESHAPE = Op.of("aten::reshape", "");
    static final Op PERMUTE = Op.of("aten::permute", "");
    static final Op TRANSPOSE = Op.of("aten::transpose", "int");
    static final Op CONTIGUOUS = Op.of("aten::contiguous", "");
    static final Op SQUEEZE = Op.of("aten::squeeze", "");
    static final Op SQUEEZE_DIM = Op.of("aten::squeeze", "dim");
    static final Op UNSQUEEZE = Op.of("aten::unsqueeze", "");
    static final Op FLATTEN = Op.of("aten::flatten", "using_ints");
    static final Op CAT = Op.of("aten::cat", "");
    static final Op STACK = Op.of("aten::stack", "");
    static final Op SPLIT = Op.of("aten::split", "Tensor");
    static final Op SLICE = Op.of("aten::slice", "Tensor");
    static final Op SELECT = Op.of("aten::select", "int");
    static final Op INDEX_SELECT = Op.of("aten::index_select", "");
    static final Op GATHER = Op.of("aten::gather", "");

    static final Op TO_DTYPE = Op.of("aten::to", "dtype");
    static final Op TO_DEVICE = Op.of("aten::to", "dtype_layout");  // device by keyword: no dtype lookup
    static final Op RESOLVE_CONJ = Op.of("aten::resolve_conj", "");
    static final Op RESOLVE_NEG = Op.of("aten::resolve_neg", "");
    static final Op REAL = Op.of("aten::real", "");
    static final Op IMAG = Op.of("aten::imag", "");
    static final Op CLONE = Op.of("aten::clone", "");
    static final Op COPY_ = Op.of("aten::copy_", "");
    static final Op DETACH = Op.of("aten::detach", "");
}

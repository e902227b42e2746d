package org.tensorbridge.optim;

import java.util.List;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.OpResult;
import org.tensorbridge.torch.Tensor;

/** libtorch's multi-tensor kernels (torch._foreach_*), typed; in-place ones update the given tensors. */
final class Foreach {
    private static final Op ADD_SCALAR_ = Op.of("aten::_foreach_add_.Scalar");
    private static final Op ADD_LIST_ = Op.of("aten::_foreach_add_.List");
    private static final Op ADD_LIST = Op.of("aten::_foreach_add.List");
    private static final Op ADD_SCALAR = Op.of("aten::_foreach_add.Scalar");
    private static final Op MUL_SCALAR_ = Op.of("aten::_foreach_mul_.Scalar");
    private static final Op ADDCMUL_SCALAR_ = Op.of("aten::_foreach_addcmul_.Scalar");
    private static final Op SQRT = Op.of("aten::_foreach_sqrt");
    private static final Op SQRT_ = Op.of("aten::_foreach_sqrt_");
    private static final Op ADDCMUL_SCALAR = Op.of("aten::_foreach_addcmul.Scalar");
    private static final Op ADDCDIV_SCALAR_ = Op.of("aten::_foreach_addcdiv_.Scalar");

    private Foreach() {
    }

    static void addScalar_(List<Tensor> self, double value) {
        ADD_SCALAR_.call(self, value).close();
    }

    static void add_(List<Tensor> self, List<Tensor> other, double alpha) {
        ADD_LIST_.call(self, other, Op.kw("alpha", alpha)).close();
    }

    static List<Tensor> add(List<Tensor> self, List<Tensor> other, double alpha) {
        return list(ADD_LIST.call(self, other, Op.kw("alpha", alpha)));
    }

    static List<Tensor> addScalar(List<Tensor> self, double value) {
        return list(ADD_SCALAR.call(self, value));
    }

    static void mul_(List<Tensor> self, double value) {
        MUL_SCALAR_.call(self, value).close();
    }

    static void addcmul_(List<Tensor> self, List<Tensor> a, List<Tensor> b, double value) {
        ADDCMUL_SCALAR_.call(self, a, b, value).close();
    }

    // The Scalar[] overloads (_foreach_addcdiv_.ScalarList, _foreach_div_.ScalarList) take a list of Python
    // scalars, which the by-name binding does not pass: one in-place op per tensor instead (on the CPU,
    // libtorch's foreach kernels are this same per-tensor loop).
    static void addcdiv_(List<Tensor> self, List<Tensor> a, List<Tensor> b, double[] values) {
        for (int i = 0; i < self.size(); i++) {
            self.get(i).addcdiv_(a.get(i), b.get(i), values[i]);
        }
    }

    static void div_(List<Tensor> self, double[] values) {
        for (int i = 0; i < self.size(); i++) {
            self.get(i).div_(values[i]);
        }
    }

    static List<Tensor> addcmul(List<Tensor> self, List<Tensor> a, List<Tensor> b, double value) {
        return list(ADDCMUL_SCALAR.call(self, a, b, value));
    }

    static void addcdiv_(List<Tensor> self, List<Tensor> a, List<Tensor> b, double value) {
        ADDCDIV_SCALAR_.call(self, a, b, value).close();
    }

    static void sqrt_(List<Tensor> self) {
        SQRT_.call(self).close();
    }

    static List<Tensor> sqrt(List<Tensor> self) {
        return list(SQRT.call(self));
    }

    private static List<Tensor> list(OpResult result) {
        try (result) {
            return result.takeTensors(0);
        }
    }
}

package org.tensorbridge.checkpoint;

import java.util.Map;
import org.tensorbridge.core.DType;

/** torch's legacy storage class names (what torch.save writes in the pickle) and their dtypes. */
final class StorageTypes {
    static final Map<String, DType> BY_NAME = Map.ofEntries(
            Map.entry("FloatStorage", DType.FLOAT32), Map.entry("DoubleStorage", DType.FLOAT64),
            Map.entry("HalfStorage", DType.FLOAT16), Map.entry("BFloat16Storage", DType.BFLOAT16),
            Map.entry("LongStorage", DType.INT64), Map.entry("IntStorage", DType.INT32),
            Map.entry("ShortStorage", DType.INT16), Map.entry("CharStorage", DType.INT8),
            Map.entry("ByteStorage", DType.UINT8), Map.entry("BoolStorage", DType.BOOL));

    private StorageTypes() {
    }

    static String nameOf(DType dtype) {
        for (Map.Entry<String, DType> e : BY_NAME.entrySet()) {
            if (e.getValue() == dtype) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("torch.save has no storage type for " + dtype.torchName());
    }
}

package org.tensorbridge.torch;

/** Tensor memory layouts (c10::Layout); only {@link #STRIDED} tensors share memory with arrays. */
public enum Layout {
    STRIDED, SPARSE, SPARSE_CSR, MKLDNN, SPARSE_CSC, SPARSE_BSR, SPARSE_BSC, JAGGED;

    public int code() {
        return ordinal();
    }

    static Layout fromCode(int code) {
        return code >= 0 && code < values().length ? values()[code] : JAGGED;
    }
}

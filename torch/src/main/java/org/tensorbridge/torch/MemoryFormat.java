package org.tensorbridge.torch;

/** c10::MemoryFormat, for {@code contiguous(format)} and friends. */
public enum MemoryFormat {
    CONTIGUOUS, PRESERVE, CHANNELS_LAST, CHANNELS_LAST_3D;

    public int code() {
        return ordinal();
    }
}

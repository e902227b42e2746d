package org.tensorbridge.ndarray;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Asks Linux for transparent huge pages on large fresh buffers, as NumPy does: a first write into 256 MB
 * then takes 128 page faults instead of 65536, which otherwise dominate a copy into new memory. Advisory:
 * a no-op off Linux, without native access, or when the kernel says no.
 */
public final class HugePages {
    /** Below this size the advice is not worth a system call (NumPy's threshold too). */
    public static final long THRESHOLD = 4L << 20;
    private static final long HUGE_PAGE = 2L << 20;

    /**
     * The alignment to allocate {@code bytes} at so that huge pages can back all of it: a 2 MiB page boundary
     * from {@link #THRESHOLD} on (where advice is possible), else {@code small}. A 4 MiB block at a malloc
     * address has only one whole huge page inside; the other half stays in 4 KiB pages, and its TLB misses
     * cost a 1M-element float32 add about 20% against NumPy, whose large arrays are all huge pages.
     */
    public static long alignmentFor(long bytes, long small) {
        return MADVISE != null && bytes >= THRESHOLD ? HUGE_PAGE : small;
    }
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MADVISE = lookup();

    private HugePages() {
    }

    private static MethodHandle lookup() {
        return System.getProperty("os.name", "").startsWith("Linux") ? LibC.downcall("madvise",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT)) : null;
    }

    /** Advises huge pages for the whole 2 MiB pages inside {@code [address, address + bytes)}. */
    public static void advise(long address, long bytes) {
        if (MADVISE == null || bytes < THRESHOLD) {
            return;
        }
        long start = (address + HUGE_PAGE - 1) & -HUGE_PAGE;
        long end = (address + bytes) & -HUGE_PAGE;
        if (end > start) {
            try {
                int ignored = (int) MADVISE.invokeExact(start, end - start, MADV_HUGEPAGE);
            } catch (Throwable t) {
                // advisory only
            }
        }
    }
}

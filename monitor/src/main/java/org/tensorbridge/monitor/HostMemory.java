package org.tensorbridge.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident set size, from Linux's {@code /proc/self/status} (VmRSS). */
final class HostMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private HostMemory() {
    }

    /** Resident bytes now, or -1 where the system has no {@code /proc} (not Linux). */
    static long residentBytes() {
        try {
            // VmRSS is in kB; status (rather than statm) needs no page size, which Java cannot ask for.
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring("VmRSS:".length()).trim();
                    return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

package org.tensorbridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** doctor tells "built with CUDA, but no driver or GPU" apart from "built without CUDA". */
class DoctorTest {
    @Test
    void reportsWhyCudaIsMissingByHowTheShimWasBuilt() {
        Doctor.Report report = Doctor.check();
        assertTrue(report.libraryWorks(), report.format());
        assertEquals(Torch.builtWithCuda(), report.builtWithCuda());
        assertEquals("yes".equals(Torch.buildInfo().getProperty("cuda")), report.builtWithCuda(),
                "libtensorbridge.properties and the shim agree: " + Torch.buildInfo());
        if (report.cudaAvailable()) {
            assertTrue(report.cudnnVersion() != 0, report.format());
            return;
        }
        assertEquals(-1, report.cudnnVersion(), "no cuDNN without a usable device: " + report.format());
        String why = String.join("\n", report.cudaProblems());
        if (report.builtWithCuda()) {
            assertTrue(why.contains("built with CUDA") && why.contains("driver or the GPU is missing"), why);
            assertTrue(!why.contains("built without CUDA"), why);
        } else {
            assertTrue(why.contains("built without CUDA"), why);
            assertTrue(why.contains(Torch.buildInfo().getProperty("cuda.reason", "")), why);
        }
    }
}

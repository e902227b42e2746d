package org.tensorbridge.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.tensorbridge.torch.internal.NativeLibrary;

/**
 * Answers "can I use libtorch, and the GPU, here?" — the Java counterpart of
 * {@code torch.cuda.is_available()} with the reasons when the answer is no.
 */
public final class Doctor {
    private Doctor() {
    }

    /**
     * What was found.
     *
     * @param libraryWorks  whether the shim loaded and a tensor op ran
     * @param problems      why the library does not work (empty when it does)
     * @param cudaProblems  why CUDA is not usable (empty when it is), each with its fix
     */
    public record Report(String javaVersion, String shimPath, String libtorchVersion, String libtorchSource,
                         boolean builtWithCuda, boolean cudaAvailable, int cudaDeviceCount,
                         List<Torch.CudaDeviceInfo> devices, long cudnnVersion, boolean libraryWorks,
                         List<String> problems, List<String> cudaProblems) {

        /** A human-readable report, one fact a line. */
        public String format() {
            StringBuilder out = new StringBuilder();
            line(out, "java", javaVersion);
            line(out, "native shim", shimPath);
            line(out, "libtorch", libtorchVersion + (libtorchSource.isEmpty() ? "" : " (" + libtorchSource + ")"));
            line(out, "shim built with CUDA", builtWithCuda ? "yes" : "no");
            line(out, "CUDA available", cudaAvailable ? "yes" : "no");
            line(out, "CUDA devices", Integer.toString(cudaDeviceCount));
            for (Torch.CudaDeviceInfo d : devices) {
                line(out, "  cuda:" + d.index(), d.name() + ", compute capability " + d.computeCapability() + ", "
                        + (d.totalMemory() >> 20) + " MiB total, " + (d.freeMemory() >> 20) + " MiB free");
            }
            line(out, "cuDNN", cudnnVersion < 0 ? "not available" : Long.toString(cudnnVersion));
            line(out, "library works", libraryWorks ? "yes" : "NO");
            problems.forEach(p -> line(out, "problem", p));
            cudaProblems.forEach(p -> line(out, "why no CUDA", p));
            return out.toString();
        }

        private static void line(StringBuilder out, String key, String value) {
            out.append(String.format("%-22s %s%n", key + ":", value));
        }
    }

    /** Loads the shim, runs a tiny op, and inspects CUDA; never throws. */
    public static Report check() {
        String java = System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
        List<String> problems = new ArrayList<>();
        List<String> cudaProblems = new ArrayList<>();
        String shim = "not loaded";
        String version = "unknown";
        String source = "";
        boolean built = false;
        boolean available = false;
        int count = 0;
        List<Torch.CudaDeviceInfo> devices = List.of();
        long cudnn = -1;
        boolean works = false;
        boolean loaded = false;
        Properties info = new Properties();
        try {
            shim = Torch.shimPath().toString();
            loaded = true;
            version = Torch.version();
            info = Torch.buildInfo();
            source = info.getProperty("libtorch.source", "");
            try (Tensor a = Tensor.ones(2, 2); Tensor b = a.matmul(a); Tensor s = b.sum()) {
                works = s.item() == 8.0;
                if (!works) {
                    problems.add("a 2x2 matmul gave " + s.item() + " instead of 8");
                }
            }
            built = Torch.builtWithCuda();
            available = Torch.cudaAvailable();
            count = Torch.cudaDeviceCount();
            devices = Torch.cudaDevices();
            cudnn = Torch.cudnnVersion();
        } catch (LinkageError | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            problems.add(root.getClass().getSimpleName() + ": " + root.getMessage());
        }
        if (!loaded) {
            // What the shim that failed to load was built with, read from its properties without loading it.
            try {
                info = NativeLibrary.locatedBuildInfo();
                java.nio.file.Path located = NativeLibrary.locateShim();
                shim = located == null ? "not found" : located + " (does not load)";
            } catch (RuntimeException | LinkageError ignored) {
                // nothing more to say than the problem already recorded
            }
            source = info.getProperty("libtorch.source", "");
            version = info.getProperty("libtorch.version", "unknown") + " (as built; not loaded)";
            built = "yes".equals(info.getProperty("cuda"));
        }
        if (!available) {
            explainNoCuda(loaded, built, info, source, cudaProblems);
        } else if (!built) {
            cudaProblems.add("libtorch sees CUDA but the shim was built without CUDA headers, so device properties are"
                    + " unavailable: set CUDA_HOME (or put nvcc on PATH) and rerun torch/native/build.sh");
        }
        return new Report(java, shim, version, source, built, available, count, devices, cudnn, works, problems,
                cudaProblems);
    }

    private static void explainNoCuda(boolean loaded, boolean built, Properties info, String source,
                                      List<String> reasons) {
        String libtorch = source.isEmpty() ? "unknown" : source;
        if (!loaded) {
            reasons.add(built
                    ? "the shim was built with CUDA (against " + libtorch + ") but does not load: see the problem above"
                      + " for the missing library (often the CUDA runtime libraries) and its fix"
                    : "the shim does not load: see the problem above");
            return;
        }
        if (built) {
            reasons.add("the shim is built with CUDA (against " + libtorch + "), but libtorch finds no usable CUDA device:"
                    + " the NVIDIA driver or the GPU is missing here");
        } else {
            String why = info.getProperty("cuda.reason", "");
            reasons.add("the shim was built without CUDA" + (why.isEmpty() ? "" : " (" + why + ")")
                    + ": install a CUDA build of libtorch (pip's CUDA torch, or LIBTORCH=/path/to/libtorch-cuda) with"
                    + " the CUDA headers (CUDA_HOME, or nvcc on PATH) and rerun torch/native/build.sh");
        }
        if (!Files.exists(Path.of("/dev/nvidiactl")) && !Files.exists(Path.of("/dev/nvidia0"))) {
            reasons.add("no NVIDIA device nodes (/dev/nvidia0): no GPU is visible to this machine or container");
        } else if (!Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            reasons.add("the NVIDIA kernel driver is not loaded (/proc/driver/nvidia/version missing)");
        }
    }
}

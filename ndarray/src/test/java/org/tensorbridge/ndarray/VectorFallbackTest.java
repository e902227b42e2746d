package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No ndarray code calls a Vector API operation whose Java fallback goes through a heap segment. Until C2
 * compiles a loop, the interpreter and C1 run each operation's fallback; a reinterpretation's fallback
 * ({@code AbstractVector.defaultReinterpret}) stores the vector into {@code MemorySegment.ofArray(new byte[])}.
 * The JDK methods behind every vector load and store keep one type profile of segment classes for the whole
 * JVM, so after that every loop C2 compiles inlines the heap segment class beside the native one and tests for
 * a heap base on each access: {@code mul/scalar/int32/1M} ran 2.3x slower once a strided float32 {@code exp}
 * (whose gather used {@code reinterpretAsFloats()}) had run. Identity and {@code REINTERPRET_*} conversions
 * take the same fallback. {@code bench/vector_profiles.sh} finds the effect in C2's log; this finds the cause.
 */
class VectorFallbackTest {
    private static final Set<String> HEAP_FALLBACK_METHODS = Set.of("reinterpretAsBytes", "reinterpretAsShorts",
            "reinterpretAsInts", "reinterpretAsLongs", "reinterpretAsFloats", "reinterpretAsDoubles",
            "reinterpretShape", "viewAsIntegralLanes", "viewAsFloatingLanes");

    @Test
    void noVectorLoopCallsAnOperationWhoseFallbackUsesHeapMemory() throws Exception {
        List<Path> classes = ndarrayClasses();
        assertTrue(classes.stream().anyMatch(p -> p.endsWith("VectorLoops.class")), "VectorLoops.class not found");
        List<String> found = new ArrayList<>();
        for (Path p : classes) {
            ClassModel cm = ClassFile.of().parse(Files.readAllBytes(p));
            for (MethodModel m : cm.methods()) {
                String where = cm.thisClass().asInternalName() + "." + m.methodName().stringValue();
                m.code().ifPresent(code -> code.forEach(e -> {
                    if (e instanceof InvokeInstruction call && isVectorApi(call.owner().asInternalName())
                            && HEAP_FALLBACK_METHODS.contains(call.name().stringValue())) {
                        found.add(where + " calls " + call.name().stringValue());
                    } else if (e instanceof FieldInstruction field
                            && field.owner().asInternalName().equals("jdk/incubator/vector/VectorOperators")
                            && field.name().stringValue().startsWith("REINTERPRET_")) {
                        found.add(where + " uses " + field.name().stringValue());
                    }
                }));
            }
        }
        assertEquals(List.of(), found, "these run AbstractVector.defaultReinterpret (a heap segment) before C2"
                + " compiles them, which slows every vector loop compiled afterwards; move the bits with an"
                + " integral vector of the same width instead (a store writes the same bytes)");
    }

    private static boolean isVectorApi(String owner) {
        return owner.startsWith("jdk/incubator/vector/");
    }

    private static List<Path> ndarrayClasses() throws IOException, URISyntaxException {
        Path root = Path.of(VectorLoops.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> s = Files.walk(root.resolve("org/tensorbridge/ndarray"))) {
            return s.filter(p -> p.toString().endsWith(".class")).toList();
        }
    }
}

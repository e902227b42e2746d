package org.tensorbridge.notebook;

import java.util.ArrayList;
import java.util.List;

/** What a JShell session of tensorbridge starts with: the library's packages, imported. */
public final class Imports {
    private Imports() {
    }

    /** The import lines for {@code tensorbridge shell}. */
    public static List<String> library() {
        return List.of(
                "import org.tensorbridge.core.*;",
                "import org.tensorbridge.ndarray.*;",
                "import org.tensorbridge.ndarray.io.*;",
                "import org.tensorbridge.torch.*;",
                "import org.tensorbridge.bridge.*;",
                "import org.tensorbridge.data.*;",
                "import org.tensorbridge.nn.*;",
                "import org.tensorbridge.optim.*;",
                "import org.tensorbridge.amp.*;",
                "import org.tensorbridge.checkpoint.*;",
                "import org.tensorbridge.monitor.*;",
                // java.lang.Module would make the simple name ambiguous; in a notebook Module means nn's.
                "import org.tensorbridge.nn.Module;");
    }

    /**
     * The import lines of a notebook cell: those the jshell tool starts with (java.util.* and friends; the JShell
     * API starts with none), the library's, and {@code display(Object)} for inline output.
     */
    public static List<String> notebook() {
        List<String> lines = new ArrayList<>();
        for (String jdk : List.of("java.io", "java.math", "java.net", "java.nio.file", "java.util",
                "java.util.concurrent", "java.util.function", "java.util.prefs", "java.util.regex", "java.util.stream")) {
            lines.add("import " + jdk + ".*;");
        }
        lines.addAll(library());
        lines.add("import static org.tensorbridge.notebook.Display.display;");
        return lines;
    }
}

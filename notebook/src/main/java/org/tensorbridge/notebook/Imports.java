package org.tensorbridge.notebook;

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
                // java.lang.Module would make the simple name ambiguous; in a notebook Module means nn's.
                "import org.tensorbridge.nn.Module;");
    }

    /** The import lines of a notebook cell: the library's, and {@code display(Object)} for inline output. */
    public static List<String> notebook() {
        return java.util.stream.Stream.concat(library().stream(),
                java.util.stream.Stream.of("import static org.tensorbridge.notebook.Display.display;")).toList();
    }
}

package org.tensorbridge.notebook;

import java.util.List;

/** How a cell ended. */
sealed interface CellOutcome {
    /** The cell ran; {@code result} is the text of its last expression, or null (none, or shown as an image). */
    record Completed(String result) implements CellOutcome {
    }

    /** The cell failed to compile or threw: Jupyter's ename, evalue and traceback lines. */
    record Failed(String ename, String evalue, List<String> traceback) implements CellOutcome {
    }
}

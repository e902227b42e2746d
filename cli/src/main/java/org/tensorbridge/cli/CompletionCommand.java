package org.tensorbridge.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tensorbridge completion}: a bash (and zsh) completion script for every command and option. */
@Command(name = "completion", description = {"Print a bash/zsh completion script for every command and option.",
        "Use: source <(./tensorbridge completion), or save it as /etc/bash_completion.d/tensorbridge."})
final class CompletionCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        main.out().print(AutoComplete.bash("tensorbridge", root));
        main.out().flush();
        return ExitCodes.OK;
    }
}

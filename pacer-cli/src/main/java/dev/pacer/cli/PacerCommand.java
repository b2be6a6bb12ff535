package dev.pacer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pacer} command: a thin layer over pacer-jobs and pacer-simulator. */
@Command(
    name = "pacer",
    mixinStandardHelpOptions = true,
    version = "pacer 0.1.0",
    description = "Call the Anthropic API at the full speed your rate limits allow.",
    subcommands = {
        CommandLine.HelpCommand.class,
        RunCommand.class,
        SimulateCommand.class,
    },
    footer = {
        "",
        "Commands:",
        "  run       run a JSONL file of requests to completion, resumably (see docs/run.md)",
        "  simulate  start a local Anthropic API simulator (see docs/simulator.md)",
        "  bench     the scoreboard: Pacer against the usual approaches (see docs/benchmarks.md)",
    })
public final class PacerCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PacerCommand()).execute(args));
  }
}

package dev.pacer.simulator;

/**
 * The three per-window limits of one pool: requests, input tokens, output tokens (per minute when
 * the window is the default 60 s).
 */
public record Limits(long rpm, long itpm, long otpm) {

  public Limits {
    if (rpm < 1 || itpm < 1 || otpm < 1) {
      throw new IllegalArgumentException(
          "limits must be at least 1, got rpm=" + rpm + " itpm=" + itpm + " otpm=" + otpm);
    }
  }

  public static Limits of(long rpm, long itpm, long otpm) {
    return new Limits(rpm, itpm, otpm);
  }

  /** Parses {@code RPM / ITPM / OTPM}, the data file's notation (also accepts {@code ,} or {@code :}). */
  public static Limits parse(String text) {
    String[] parts = text.trim().split("\\s*[/,:]\\s*");
    if (parts.length != 3) {
      throw new IllegalArgumentException("limits must be written RPM/ITPM/OTPM, not '" + text + "'");
    }
    return new Limits(
        Long.parseLong(parts[0].replace("_", "")),
        Long.parseLong(parts[1].replace("_", "")),
        Long.parseLong(parts[2].replace("_", "")));
  }

  @Override
  public String toString() {
    return rpm + "/" + itpm + "/" + otpm;
  }
}

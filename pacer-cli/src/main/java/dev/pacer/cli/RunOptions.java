package dev.pacer.cli;

import dev.pacer.jobs.Durations;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Converters and small parsers for {@code pacer run}'s options. */
final class RunOptions {

  private RunOptions() {}

  /** {@code 500ms}, {@code 6s}, {@code 1m}, {@code 2h}, {@code 1h30m}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration duration = Durations.parse(value);
        if (duration.isNegative() || duration.isZero()) {
          throw new CommandLine.TypeConversionException("'" + value + "' must be longer than zero");
        }
        return duration;
      } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (write e.g. 500ms, 6s, 1m, 2h)");
      }
    }
  }

  /** {@code --tier}: a tier of the model data, or a usage error naming them all. */
  static Tier tier(String text) {
    try {
      return Tier.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown --tier '" + text + "': expected start, build, scale, tier1, tier2, "
          + "tier3 or tier4");
    }
  }

  /**
   * Reads a {@code --limits} file: one pool (or model id) a line, {@code NAME = RPM / ITPM / OTPM},
   * {@code #} comments; {@code ?} leaves a limit unknown (learned from headers, or the tier's). Model
   * ids are mapped to their pool.
   */
  static Map<String, Limits> readLimitsFile(Path file, ModelCatalog catalog) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--limits: no such file: " + file);
    }
    Map<String, Limits> limits = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException("--limits " + file + " line " + (i + 1)
            + ": expected 'POOL = RPM / ITPM / OTPM', e.g. 'sonnet-4-5 = 1000 / 450000 / 90000'");
      }
      String name = line.substring(0, equals).strip();
      if (name.startsWith("limits.")) {
        name = name.substring(name.lastIndexOf('.') + 1);
      }
      String pool = name.startsWith("claude-") ? catalog.poolOf(name) : name;
      try {
        limits.put(pool, Limits.parse(line.substring(equals + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--limits " + file + " line " + (i + 1)
            + ": expected 'RPM / ITPM / OTPM' in whole numbers (or ? for unknown), got '"
            + line.substring(equals + 1).strip() + "'");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--limits " + file + " line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return limits;
  }

  /** {@code 1234567} as {@code 1,234,567}. */
  static String grouped(long n) {
    return String.format(java.util.Locale.ROOT, "%,d", n);
  }

  /** A rate, short: {@code 950}, {@code 12.3k}, {@code 4.5M}. */
  static String compact(double n) {
    if (n < 1_000) {
      return String.format(java.util.Locale.ROOT, "%.0f", n);
    }
    if (n < 1_000_000) {
      return String.format(java.util.Locale.ROOT, "%.1fk", n / 1_000);
    }
    return String.format(java.util.Locale.ROOT, "%.1fM", n / 1_000_000);
  }

  static String dollars(double usd) {
    return usd < 1 ? String.format(java.util.Locale.ROOT, "$%.4f", usd) : String.format(java.util.Locale.ROOT, "$%,.2f", usd);
  }
}

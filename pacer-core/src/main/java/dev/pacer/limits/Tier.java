package dev.pacer.limits;

import java.util.Locale;

/** The usage tiers whose limits the data file lists: Start/Build/Scale and the older Tier 1–4. */
public enum Tier {
  START, BUILD, SCALE, TIER1, TIER2, TIER3, TIER4;

  /** The key used in the data file: {@code start}, ..., {@code tier4}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Tier parse(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
    for (Tier tier : values()) {
      if (tier.key().equals(wanted)) {
        return tier;
      }
    }
    throw new IllegalArgumentException("unknown tier '" + text + "': expected start, build, scale, tier1, tier2, tier3 or tier4");
  }
}

package dev.pacer.bench.report;

import dev.pacer.bench.RunResult;
import dev.pacer.bench.Scenario;
import dev.pacer.bench.ServerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chart, hand-written SVG: one panel per scenario, the binding bucket's use per window over
 * time for each contender (smoothed over a sixth of a window), against the limit (dashed).
 */
public final class SvgChart {

  private static final String[] COLOURS = {
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e", "#d62728", "#1f77b4"};
  private static final int PANEL_W = 380;
  private static final int PANEL_H = 230;
  private static final int COLUMNS = 3;
  private static final int LEFT = 58;
  private static final int RIGHT = 12;
  private static final int TOP = 30;
  private static final int BOTTOM = 34;
  private static final int SMOOTHING_STEPS = 2;

  private SvgChart() {}

  /** Every scenario's panel in one picture, with a legend of the contenders. */
  public static String render(List<Scenario> scenarios, Map<String, List<RunResult>> byScenario,
      List<String> contenders, double stepWindows) {
    int panels = scenarios.size();
    int rows = (panels + COLUMNS - 1) / COLUMNS;
    int legendH = 28;
    int width = COLUMNS * PANEL_W;
    int height = rows * PANEL_H + legendH;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">%n", width, height, width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    int x = 8;
    for (int c = 0; c < contenders.size(); c++) {
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"14\" x2=\"%d\" y2=\"14\" stroke=\"%s\" stroke-width=\"%s\"/>"
              + "<text x=\"%d\" y=\"18\">%s</text>%n",
          x, x + 18, colour(c), contenders.get(c).startsWith("pacer") ? "2.5" : "1.5", x + 22,
          escape(contenders.get(c))));
      x += 26 + contenders.get(c).length() * 7;
    }
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"14\" x2=\"%d\" y2=\"14\" stroke=\"black\" stroke-dasharray=\"5,3\"/>"
            + "<text x=\"%d\" y=\"18\">limit</text>%n", x, x + 18, x + 22));
    for (int p = 0; p < panels; p++) {
      Scenario scenario = scenarios.get(p);
      int ox = (p % COLUMNS) * PANEL_W;
      int oy = legendH + (p / COLUMNS) * PANEL_H;
      panel(svg, scenario, byScenario.getOrDefault(scenario.name(), List.of()), contenders, stepWindows, ox, oy);
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void panel(StringBuilder svg, Scenario scenario, List<RunResult> runs, List<String> contenders,
      double stepWindows, int ox, int oy) {
    double window = scenario.window().toNanos() / 1e9;
    double step = window * stepWindows;
    double limit = scenario.limits().get(scenario.chartBucket());
    double maxSeconds = 1;
    double maxValue = limit;
    for (RunResult run : runs) {
      maxSeconds = Math.max(maxSeconds, run.chart().size() * step);
      for (double v : smooth(run.chart())) {
        maxValue = Math.max(maxValue, v);
      }
    }
    maxSeconds = Math.min(maxSeconds, runs.stream().mapToDouble(RunResult::lowerBoundSeconds).max().orElse(10) * 3);
    double yMax = niceCeiling(Math.min(maxValue, limit * 2.5) * 1.1);
    int plotW = PANEL_W - LEFT - RIGHT;
    int plotH = PANEL_H - TOP - BOTTOM;
    int px = ox + LEFT;
    int py = oy + TOP;
    String unit = switch (scenario.chartBucket()) {
      case REQUESTS -> "requests";
      case INPUT_TOKENS -> "input tokens";
      case OUTPUT_TOKENS -> "output tokens";
    };
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", px, oy + 14,
        escape(scenario.name())));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s per minute</text>%n", px, oy + 25,
        unit));
    svg.append(String.format(Locale.ROOT,
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>%n", px, py, plotW, plotH));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      int y = py + plotH - (int) Math.round(plotH * i / 4.0);
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%s</text>%n", px - 4, y + 4, compact(v)));
    }
    double xTick = maxSeconds > 40 ? 10 : maxSeconds > 16 ? 5 : 2;
    for (double s = 0; s <= maxSeconds + 1e-9; s += xTick) {
      int xx = px + (int) Math.round(plotW * s / maxSeconds);
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
          xx, py + plotH + 14, compact(s)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">seconds"
        + " (a minute lasts %s s)</text>%n", px + plotW / 2, py + plotH + 28, compact(window)));
    // The limit, stepping where the scenario changes it.
    List<double[]> limitSteps = new ArrayList<>();
    limitSteps.add(new double[] {0, limit});
    for (ServerEvent event : scenario.events()) {
      if (event instanceof ServerEvent.LimitsChange change) {
        limitSteps.add(new double[] {change.at().toNanos() / 1e9, change.limits().get(scenario.chartBucket())});
      }
    }
    StringBuilder limitPath = new StringBuilder();
    for (int i = 0; i < limitSteps.size(); i++) {
      double from = limitSteps.get(i)[0];
      double to = i + 1 < limitSteps.size() ? limitSteps.get(i + 1)[0] : maxSeconds;
      double value = limitSteps.get(i)[1];
      limitPath.append(i == 0 ? "M" : "L").append(coord(px, plotW, from, maxSeconds)).append(',')
          .append(coordY(py, plotH, value, yMax)).append(" L").append(coord(px, plotW, to, maxSeconds)).append(',')
          .append(coordY(py, plotH, value, yMax)).append(' ');
    }
    svg.append("<path d=\"").append(limitPath.toString().trim())
        .append("\" fill=\"none\" stroke=\"black\" stroke-dasharray=\"5,3\"/>\n");
    for (int c = 0; c < contenders.size(); c++) {
      String name = contenders.get(c);
      RunResult run = runs.stream().filter(r -> r.contender().equals(name)).findFirst().orElse(null);
      if (run == null || run.chart().isEmpty()) {
        continue;
      }
      List<Double> values = smooth(run.chart());
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < values.size(); i++) {
        double t = (i + 0.5) * step;
        if (t > maxSeconds) {
          break;
        }
        double v = Math.min(values.get(i), yMax);
        points.append(coord(px, plotW, t, maxSeconds)).append(',').append(coordY(py, plotH, v, yMax)).append(' ');
      }
      svg.append(String.format(Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-opacity=\"0.85\" points=\"%s\"/>%n",
          colour(c), name.startsWith("pacer") ? "2.5" : "1.3", points.toString().trim()));
    }
  }

  /** A trailing mean over {@link #SMOOTHING_STEPS} steps. */
  static List<Double> smooth(List<Double> values) {
    List<Double> smoothed = new ArrayList<>(values.size());
    double sum = 0;
    for (int i = 0; i < values.size(); i++) {
      sum += values.get(i);
      if (i >= SMOOTHING_STEPS) {
        sum -= values.get(i - SMOOTHING_STEPS);
      }
      smoothed.add(sum / Math.min(i + 1, SMOOTHING_STEPS));
    }
    return smoothed;
  }

  private static String coord(int px, int plotW, double t, double maxSeconds) {
    return String.format(Locale.ROOT, "%.1f", px + plotW * Math.min(t, maxSeconds) / maxSeconds);
  }

  private static String coordY(int py, int plotH, double v, double yMax) {
    return String.format(Locale.ROOT, "%.1f", py + plotH - plotH * v / yMax);
  }

  private static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (m * magnitude >= v) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String compact(double v) {
    if (v >= 1_000_000) {
      return trim(v / 1_000_000) + "M";
    }
    if (v >= 1_000) {
      return trim(v / 1_000) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String colour(int i) {
    return COLOURS[i % COLOURS.length];
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}

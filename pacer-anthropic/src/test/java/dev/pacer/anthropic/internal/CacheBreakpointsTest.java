package dev.pacer.anthropic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheBreakpointsTest {

  private static final String MARK = "\"cache_control\":{\"type\":\"ephemeral\"}";

  @Test
  void requestsSharingAMarkedDocumentShareItsKeyAndAreMeasuredWithoutIt() {
    CacheBreakpoints first = CacheBreakpoints.of(body("claude-haiku-4-5", "The whole document.", MARK, "Question one?"));
    CacheBreakpoints second = CacheBreakpoints.of(body("claude-haiku-4-5", "The whole document.", MARK, "Question two?"));

    assertThat(first.all()).hasSize(1);
    assertThat(second.all().get(0).key()).isEqualTo(first.all().get(0).key());
    assertThat(first.all().get(0).ttl()).isEqualTo(Duration.ofMinutes(5));
    String after = second.textAfter(second.all().get(0));
    assertThat(after).contains("Question two?").doesNotContain("whole document");
  }

  @Test
  void theKeyIgnoresMarksAndKeyOrderButNotTheModelTheTextOrTheToolChoice() {
    String key = CacheBreakpoints.of(body("claude-haiku-4-5", "Doc.", MARK, "Q")).all().get(0).key();
    String reordered = "{\"messages\":[{\"content\":\"Q\",\"role\":\"user\"}],\"system\":[{" + MARK
        + ",\"text\":\"Doc.\",\"type\":\"text\"}],\"model\":\"claude-haiku-4-5\",\"max_tokens\":9}";
    assertThat(CacheBreakpoints.of(reordered.getBytes(StandardCharsets.UTF_8)).all().get(0).key()).isEqualTo(key);
    String oneHour = MARK.replace("}", ",\"ttl\":\"1h\"}");
    CacheBreakpoints longer = CacheBreakpoints.of(body("claude-haiku-4-5", "Doc.", oneHour, "Q"));
    assertThat(longer.all().get(0).key()).isEqualTo(key);
    assertThat(longer.all().get(0).ttl()).isEqualTo(Duration.ofHours(1));

    assertThat(CacheBreakpoints.of(body("claude-sonnet-4-5", "Doc.", MARK, "Q")).all().get(0).key()).isNotEqualTo(key);
    assertThat(CacheBreakpoints.of(body("claude-haiku-4-5", "Doc!", MARK, "Q")).all().get(0).key()).isNotEqualTo(key);
    String withToolChoice = new String(body("claude-haiku-4-5", "Doc.", MARK, "Q"), StandardCharsets.UTF_8)
        .replace("{\"model\"", "{\"tool_choice\":{\"type\":\"any\"},\"model\"");
    assertThat(CacheBreakpoints.of(withToolChoice.getBytes(StandardCharsets.UTF_8)).all().get(0).key()).isNotEqualTo(key);
  }

  @Test
  void aBodyThatMarksNothingOrIsNotJsonHasNoBreakpoints() {
    assertThat(CacheBreakpoints.of(body("claude-haiku-4-5", "Doc.", "", "Q")).isEmpty()).isTrue();
    assertThat(CacheBreakpoints.of("not json".getBytes(StandardCharsets.UTF_8)).isEmpty()).isTrue();
    assertThat(CacheBreakpoints.of("[1,2]".getBytes(StandardCharsets.UTF_8)).isEmpty()).isTrue();
  }

  @Test
  void aBodyNotShapedAsAMessagesRequestIsLeftToTheServer() {
    String[] malformed = {
        "{\"tools\":{\"a\":{" + MARK + "}}}",
        "{\"messages\":{\"role\":\"user\"},\"system\":[{" + MARK + "}]}",
        "{\"messages\":[\"text\",7,null,{\"content\":[null,{" + MARK + "}]}]}",
        "{\"system\":[null,3,{" + MARK + "}],\"messages\":null}",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"," + MARK + "}]}],"
            + "\"tools\":[null]}"};
    for (String body : malformed) {
      CacheBreakpoints breakpoints = CacheBreakpoints.of(body.getBytes(StandardCharsets.UTF_8));
      for (CacheBreakpoints.Breakpoint each : breakpoints.all()) {
        assertThat(breakpoints.textAfter(each)).isNotNull();
      }
    }
  }

  @Test
  void marksInToolsAndMessagesCutThePromptInTheServersOrder() {
    String body = "{\"model\":\"m\",\"max_tokens\":5,"
        + "\"tools\":[{\"name\":\"lookup\",\"input_schema\":{\"type\":\"object\"}," + MARK + "}],"
        + "\"system\":\"A plain system prompt.\","
        + "\"messages\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"First turn.\"}]},"
        + "{\"role\":\"assistant\",\"content\":\"First answer.\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Second turn.\"," + MARK + "},"
        + "{\"type\":\"text\",\"text\":\"Unmarked tail.\"}]}]}";
    CacheBreakpoints breakpoints = CacheBreakpoints.of(body.getBytes(StandardCharsets.UTF_8));

    assertThat(breakpoints.all()).hasSize(2);
    String afterTools = breakpoints.textAfter(breakpoints.all().get(0));
    assertThat(afterTools).doesNotContain("lookup").contains("A plain system prompt.", "First turn.", "Unmarked tail.");
    String afterTurn = breakpoints.textAfter(breakpoints.all().get(1));
    assertThat(afterTurn).contains("Unmarked tail.", "user")
        .doesNotContain("lookup", "A plain system prompt.", "First turn.", "First answer.", "Second turn.");
    // Measured as RequestInfo measures a prompt: the settings stay out.
    assertThat(afterTurn).doesNotContain("max_tokens");
  }

  @Test
  void aLaterTurnOfAConversationSharesTheEarlierTurnsKey() {
    String earlier = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Turn one.\","
        + MARK + "}]}]}";
    String later = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Turn one.\","
        + MARK + "}]},{\"role\":\"assistant\",\"content\":\"Answer.\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Turn two.\"," + MARK + "}]}]}";
    CacheBreakpoints first = CacheBreakpoints.of(earlier.getBytes(StandardCharsets.UTF_8));
    CacheBreakpoints second = CacheBreakpoints.of(later.getBytes(StandardCharsets.UTF_8));

    assertThat(second.all()).hasSize(2);
    assertThat(second.all().get(0).key()).isEqualTo(first.all().get(0).key());
    assertThat(second.all().get(1).key()).isNotEqualTo(first.all().get(0).key());
  }

  static byte[] body(String model, String document, String mark, String question) {
    String markPart = mark.isEmpty() ? "" : "," + mark;
    return ("{\"model\":\"" + model + "\",\"max_tokens\":20,\"system\":[{\"type\":\"text\",\"text\":\"" + document + "\""
        + markPart + "}],\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }
}

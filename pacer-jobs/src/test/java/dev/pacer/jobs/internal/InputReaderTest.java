package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.jobs.InputProblem;
import dev.pacer.jobs.InputProblem.Kind;
import dev.pacer.jobs.RequestDefaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InputReaderTest {

  @TempDir Path dir;

  private static final String OK_PARAMS = "\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":50,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private List<InputLine> read(RequestDefaults defaults, String... lines) throws IOException {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return readAll(file, defaults);
  }

  private static List<InputLine> readAll(Path file, RequestDefaults defaults) throws IOException {
    List<InputLine> all = new ArrayList<>();
    try (InputReader reader = new InputReader(file, defaults)) {
      InputLine line;
      while ((line = reader.next()) != null) {
        all.add(line);
      }
    }
    return all;
  }

  private static InputProblem problem(InputLine line) {
    assertThat(line).isInstanceOf(InputLine.Rejected.class);
    return ((InputLine.Rejected) line).problem();
  }

  @Test
  void aLineWithAStringLongerThanJacksonsDefaultLimitIsARequest() throws IOException {
    // A PDF as base64 in a request the API accepts (up to 32 MB) passes Jackson's default of 20
    // million characters a string; it was rejected as malformed JSON.
    String pdf = "J".repeat(21_000_000);
    List<InputLine> lines = read(RequestDefaults.none(), "{\"custom_id\":\"pdf\",\"params\":{\"model\":\"claude-haiku-4-5\","
        + "\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":"
        + "{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"" + pdf + "\"}}]}]}}");
    assertThat(lines).singleElement().isInstanceOf(InputLine.Request.class);
  }

  @Test
  void readsTheRequestFormatTheShortFormAndBareStrings() throws IOException {
    List<InputLine> lines = read(RequestDefaults.of("claude-haiku-4-5", 100L, "Be brief."),
        "{\"custom_id\":\"a\"," + OK_PARAMS + "}",
        "{\"custom_id\":\"b\",\"prompt\":\"What is 2+2?\"}",
        "\"A bare prompt\"",
        "{\"prompt\":\"no id\",\"model\":\"claude-sonnet-4-5\",\"max_tokens\":7}");

    assertThat(lines).hasSize(4).allMatch(l -> l instanceof InputLine.Request);
    InputLine.Request a = (InputLine.Request) lines.get(0);
    assertThat(a.customId()).isEqualTo("a");
    assertThat(a.derivedId()).isFalse();
    assertThat(a.params().get("system").asText()).as("--system fills what params lack").isEqualTo("Be brief.");
    assertThat(a.maxTokens()).as("the line's own max_tokens wins").isEqualTo(50);

    InputLine.Request b = (InputLine.Request) lines.get(1);
    assertThat(b.params().toString()).isEqualTo("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100,\"system\":\"Be brief.\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}");

    InputLine.Request bare = (InputLine.Request) lines.get(2);
    assertThat(bare.derivedId()).isTrue();
    assertThat(bare.customId()).matches("h-[0-9a-f]{20}").isEqualTo(CustomIds.derive("\"A bare prompt\""));
    assertThat(bare.lineNumber()).isEqualTo(3);

    InputLine.Request own = (InputLine.Request) lines.get(3);
    assertThat(own.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(own.maxTokens()).isEqualTo(7);
    // Its input-token estimate is the runner's now (pacer-core's estimator): JobRunnerTest's dry runs.
  }

  @Test
  void derivedIdsDependOnContentNotPosition() throws IOException {
    List<InputLine> first = read(RequestDefaults.of("m", 10L, null), "\"one\"", "\"two\"");
    List<InputLine> moved = read(RequestDefaults.of("m", 10L, null), "", "\"zero\"", "  \"two\"  ", "\"one\"");
    String one = ((InputLine.Request) first.get(0)).customId();
    String two = ((InputLine.Request) first.get(1)).customId();
    assertThat(moved).extracting(l -> ((InputLine.Request) l).customId()).containsExactly(
        CustomIds.derive("\"zero\""), two, one);
    assertThat(moved).extracting(InputLine::lineNumber).containsExactly(2, 3, 4);
    assertThat(one).isNotEqualTo(two);
  }

  @Test
  void reportsARepeatedCustomIdWithBothLineNumbers() throws IOException {
    List<InputLine> lines = read(RequestDefaults.of("m", 10L, null),
        "{\"custom_id\":\"x\",\"prompt\":\"first\"}",
        "{\"custom_id\":\"y\",\"prompt\":\"other\"}",
        "{\"custom_id\":\"x\",\"prompt\":\"second\"}",
        "\"same\"",
        "\"same\"");
    InputProblem duplicate = problem(lines.get(2));
    assertThat(duplicate.kind()).isEqualTo(Kind.DUPLICATE);
    assertThat(duplicate.line()).isEqualTo(3);
    assertThat(duplicate.firstLine()).isEqualTo(1);
    assertThat(duplicate.message()).contains("line 3").contains("line 1").contains("\"x\"");
    assertThat(duplicate.recordedAsResult()).isFalse();
    InputProblem sameContent = problem(lines.get(4));
    assertThat(sameContent.kind()).isEqualTo(Kind.DUPLICATE);
    assertThat(sameContent.message()).contains("line 5").contains("line 4").contains("same content");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      malformed JSON               | {"custom_id":"a","prompt":"x"               | MALFORMED_JSON  | false | malformed JSON
      two values on a line         | {"prompt":"x"} {"prompt":"y"}               | MALFORMED_JSON  | false | malformed JSON
      a number                     | 42                                          | INVALID_REQUEST | true  | got number
      an array                     | ["a"]                                       | INVALID_REQUEST | true  | got array
      custom_id not a string       | {"custom_id":7,"prompt":"x"}                | BAD_CUSTOM_ID   | false | must be a string
      custom_id with a space       | {"custom_id":"a b","prompt":"x"}            | BAD_CUSTOM_ID   | false | characters other than
      custom_id too long           | {"custom_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","prompt":"x"} | BAD_CUSTOM_ID | false | 65 characters
      custom_id empty              | {"custom_id":"","prompt":"x"}               | BAD_CUSTOM_ID   | false | empty
      neither params nor prompt    | {"custom_id":"a","text":"x"}                | INVALID_REQUEST | true  | no "params" and no "prompt"
      both params and prompt       | {"custom_id":"a","prompt":"x","params":{}}  | INVALID_REQUEST | true  | not both
      params not an object         | {"custom_id":"a","params":"x"}              | INVALID_REQUEST | true  | must be a JSON object
      field beside params          | {"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]},"model":"m"} | INVALID_REQUEST | true | unexpected field "model"
      unknown short-form field     | {"custom_id":"a","prompt":"x","temperature":1} | INVALID_REQUEST | true | unexpected field "temperature"
      empty prompt                 | {"custom_id":"a","prompt":"  "}             | INVALID_REQUEST | true  | empty
      prompt not a string          | {"custom_id":"a","prompt":5}                | INVALID_REQUEST | true  | must be a string
      no model                     | {"custom_id":"a","params":{"max_tokens":5,"messages":[{"role":"user","content":"x"}]}} | INVALID_REQUEST | true | no model
      no max_tokens                | {"custom_id":"a","params":{"model":"m","messages":[{"role":"user","content":"x"}]}} | INVALID_REQUEST | true | no max_tokens
      max_tokens zero              | {"custom_id":"a","params":{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}} | INVALID_REQUEST | true | params.max_tokens must be a whole number
      max_tokens fractional        | {"custom_id":"a","params":{"model":"m","max_tokens":1.5,"messages":[{"role":"user","content":"x"}]}} | INVALID_REQUEST | true | params.max_tokens
      no messages                  | {"custom_id":"a","params":{"model":"m","max_tokens":5}} | INVALID_REQUEST | true | no params.messages
      empty messages               | {"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[]}} | INVALID_REQUEST | true | non-empty array
      bad role                     | {"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]}} | INVALID_REQUEST | true | params.messages[0].role
      empty content                | {"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":""}]}} | INVALID_REQUEST | true | params.messages[0].content is empty
      block without type           | {"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"text":"x"}]}]}} | INVALID_REQUEST | true | must be an object with a "type"
      stream true                  | {"custom_id":"a","params":{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"x"}]}} | INVALID_REQUEST | true | stream is not allowed
      temperature out of range     | {"custom_id":"a","params":{"model":"m","max_tokens":5,"temperature":3,"messages":[{"role":"user","content":"x"}]}} | INVALID_REQUEST | true | temperature
      """)
  void reportsEachKindOfBadLineWithItsLineNumber(String what, String bad, Kind kind, boolean usableId, String says)
      throws IOException {
    List<InputLine> lines = read(RequestDefaults.none(), "", bad);
    assertThat(lines).hasSize(1);
    InputProblem problem = problem(lines.get(0));
    assertThat(problem.line()).as(what).isEqualTo(2);
    assertThat(problem.kind()).as(what).isEqualTo(kind);
    assertThat(problem.message()).as(what).contains(says);
    assertThat(problem.customId() != null).as(what + ": usable custom_id").isEqualTo(usableId);
    assertThat(problem.toString()).startsWith("line 2: ");
  }

  @Test
  void reportsBytesThatAreNotUtf8() throws IOException {
    Path file = dir.resolve("bad.jsonl");
    byte[] good = "\"ok\"\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {'"', (byte) 0xC3, (byte) 0x28, '"', '\n'};
    byte[] both = new byte[good.length + bad.length];
    System.arraycopy(good, 0, both, 0, good.length);
    System.arraycopy(bad, 0, both, good.length, bad.length);
    Files.write(file, both);
    List<InputLine> lines = readAll(file, RequestDefaults.of("m", 5L, null));
    assertThat(lines.get(0)).isInstanceOf(InputLine.Request.class);
    assertThat(problem(lines.get(1)).kind()).isEqualTo(Kind.NOT_UTF8);
    assertThat(problem(lines.get(1)).line()).isEqualTo(2);
  }

  @Test
  void acceptsCrlfLineEndsAByteOrderMarkAndNoFinalLineBreak() throws IOException {
    Path file = dir.resolve("crlf.jsonl");
    byte[] text = "\uFEFF\"one\"\r\n\r\n\"two\"".getBytes(StandardCharsets.UTF_8);
    Files.write(file, text);
    try (InputReader reader = new InputReader(file, RequestDefaults.of("m", 5L, null))) {
      InputLine one = reader.next();
      InputLine two = reader.next();
      assertThat(reader.next()).isNull();
      assertThat(one).isInstanceOf(InputLine.Request.class);
      assertThat(((InputLine.Request) one).params().at("/messages/0/content").asText()).isEqualTo("one");
      assertThat(two.lineNumber()).isEqualTo(3);
      assertThat(reader.lineCount()).isEqualTo(3);
      assertThat(reader.bytesRead()).isEqualTo(text.length);
      assertThat(reader.sha256()).isEqualTo(JobState.prefixSha256(file, text.length));
    }
  }

  @Test
  void dropsStreamFalseAndKeepsFieldsItDoesNotKnow() throws IOException {
    List<InputLine> lines = read(RequestDefaults.none(), "{\"custom_id\":\"a\",\"params\":{\"model\":\"m\",\"max_tokens\":5,"
        + "\"stream\":false,\"future_field\":{\"x\":1},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}");
    InputLine.Request request = (InputLine.Request) lines.get(0);
    assertThat(request.params().has("stream")).isFalse();
    assertThat(request.params().get("future_field").toString()).isEqualTo("{\"x\":1}");
  }
}

package io.holdfast.worker;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.holdfast.worker.protocol.Protocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The worker's side of the worker API, over the JDK's HTTP client (HTTP or HTTPS). */
final class ConsoleClient {

  /** The console refused the credential: the worker was revoked or never enrolled. */
  static final class Rejected extends IOException {
    Rejected(String message) {
      super(message);
    }
  }

  static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final URI base;
  private final HttpClient http;
  private volatile String credential;

  ConsoleClient(URI console, String credential) {
    this.base = URI.create(console.toString().replaceAll("/+$", "") + Protocol.BASE + "/");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.credential = credential;
  }

  void credential(String c) {
    this.credential = c;
  }

  <T> T post(String path, Object body, Class<T> answer, Duration timeout) throws IOException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (credential != null) {
      req.header("Authorization", "Bearer " + credential);
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (r.statusCode() == 401) {
      throw new Rejected(detail(r));
    }
    if (r.statusCode() / 100 != 2) {
      throw new IOException(
          "console answered " + r.statusCode() + " to " + path + ": " + detail(r));
    }
    return answer == Void.class || r.body().length == 0 ? null : JSON.readValue(r.body(), answer);
  }

  private static String detail(HttpResponse<byte[]> r) {
    try {
      var node = JSON.readTree(r.body());
      if (node != null && node.has("detail")) {
        return node.get("detail").asText();
      }
    } catch (IOException notJson) {
      // fall through
    }
    return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
  }
}

package io.holdfast.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * An API call no REST endpoint took would otherwise reach the Vaadin servlet and get an HTML page;
 * answer it with problem JSON instead.
 */
@WebFilter(urlPatterns = "/api/*")
public class ApiNotFoundFilter extends HttpFilter {

  @Inject ObjectMapper json;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    res.setStatus(404);
    res.setContentType(Problem.MEDIA_TYPE);
    json.writeValue(
        res.getOutputStream(),
        new Problem(
            "about:blank",
            "Not Found",
            404,
            "No API endpoint "
                + req.getMethod()
                + " "
                + req.getRequestURI()
                + "; see /q/openapi for the API.",
            null));
  }
}

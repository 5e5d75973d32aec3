package io.holdfast.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.UIDetachedException;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a refresh for a component every so often while it is attached, pushing the changes to the
 * browser (the UI has {@code @Push}).
 */
public final class LiveRefresh {

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "holdfast-live-refresh");
            t.setDaemon(true);
            return t;
          });

  private LiveRefresh() {}

  /**
   * Services read through JPA, which needs a request context; a timer thread has none, so one is
   * opened around the refresh and the push that follows it.
   */
  private static void refresh(UI ui, Runnable refresh) {
    ManagedContext rc = Arc.container().requestContext();
    boolean activated = !rc.isActive();
    if (activated) {
      rc.activate();
    }
    try {
      ui.accessSynchronously(refresh::run);
    } catch (UIDetachedException gone) {
      // the browser left; the detach listener cancels the task
    } finally {
      if (activated) {
        rc.terminate();
      }
    }
  }

  public static void every(Component c, long millis, Runnable refresh) {
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    c.addAttachListener(
        e -> {
          UI ui = e.getUI();
          task[0] =
              TIMER.scheduleWithFixedDelay(
                  () -> refresh(ui, refresh), millis, millis, TimeUnit.MILLISECONDS);
        });
    c.addDetachListener(
        e -> {
          if (task[0] != null) {
            task[0].cancel(false);
          }
        });
  }
}

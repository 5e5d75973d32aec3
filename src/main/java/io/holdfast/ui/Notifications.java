package io.holdfast.ui;

import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;

/** Telling people what happened, never with a stack trace. */
public final class Notifications {

  private Notifications() {}

  public static void success(String text) {
    Notification.show(text, 4000, Notification.Position.BOTTOM_END)
        .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
  }

  public static void error(String text) {
    Notification.show(text, 8000, Notification.Position.MIDDLE)
        .addThemeVariants(NotificationVariant.LUMO_ERROR);
  }

  /** Runs an action and shows its failure as a notification. */
  public static void attempt(Runnable action) {
    try {
      action.run();
    } catch (IllegalArgumentException | IllegalStateException e) {
      error(e.getMessage());
    }
  }
}

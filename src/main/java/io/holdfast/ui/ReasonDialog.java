package io.holdfast.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.textfield.TextArea;
import java.util.function.Consumer;

/**
 * Asks why before something that cannot be undone (deleting images, retiring a machine): says what
 * happens, takes a reason for the audit trail, and runs the action with it. The service refuses a
 * blank reason; its message shows as a notification and the dialog stays open.
 */
public final class ReasonDialog extends Dialog {

  /**
   * @param what what the action does, in full
   * @param example a reason a person might give, as the field's placeholder
   * @param id the prefix of the ids of the reason field ({@code id-reason}) and the confirm button
   *     ({@code confirm-id})
   * @param action runs with the reason typed; it notifies of its success itself
   */
  public ReasonDialog(
      String title,
      String what,
      String example,
      String confirm,
      String id,
      Consumer<String> action) {
    super(title);
    TextArea reason = new TextArea("Reason, for the audit trail");
    reason.setId(id + "-reason");
    reason.setWidthFull();
    reason.setMaxLength(500);
    reason.setPlaceholder(example);
    add(new Paragraph(what), reason);
    Button go =
        new Button(
            confirm,
            e ->
                Notifications.attempt(
                    () -> {
                      action.accept(reason.getValue());
                      close();
                    }));
    go.setId("confirm-" + id);
    go.addThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_ERROR);
    getFooter().add(new Button("Cancel", e -> close()), go);
    setWidth("36rem");
  }
}

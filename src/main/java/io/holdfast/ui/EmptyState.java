package io.holdfast.ui;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;

/** What a view shows while it has nothing to list: what is missing and how to get it. */
public class EmptyState extends Div {

  public EmptyState(VaadinIcon icon, String title, String hint) {
    addClassName("holdfast-empty");
    add(icon.create(), new H3(title), new Paragraph(hint));
  }
}

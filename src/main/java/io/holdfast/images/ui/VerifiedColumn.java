package io.holdfast.images.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Span;
import io.holdfast.images.ImageView;
import io.holdfast.ui.Format;

/**
 * The "Verified" column of an image grid: a badge that says whether the last verify found the image
 * sound, with when in its tooltip, so that the column stays narrow enough to be read whole.
 */
public final class VerifiedColumn {

  private VerifiedColumn() {}

  public static Grid.Column<ImageView> addTo(Grid<ImageView> grid) {
    return grid.addComponentColumn(VerifiedColumn::badge)
        .setHeader("Verified")
        .setTooltipGenerator(
            i ->
                i.verifyStatus() == null
                    ? "No verify has read this image back yet"
                    : "Verified " + Format.time(i.verifiedAt()))
        .setAutoWidth(true)
        .setFlexGrow(0);
  }

  private static Span badge(ImageView i) {
    Span s = new Span(i.verifyStatus() == null ? "not verified" : i.verifyStatus());
    s.getElement()
        .getThemeList()
        .add(
            i.verifyStatus() == null
                ? "badge contrast"
                : i.verifyStatus().equals("sound") ? "badge success" : "badge error");
    s.addClassName("verify-status");
    return s;
  }
}

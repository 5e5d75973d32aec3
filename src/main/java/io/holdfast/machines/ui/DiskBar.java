package io.holdfast.machines.ui;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import io.holdfast.engine.disk.Partition;
import io.holdfast.machines.DiskView;
import io.holdfast.ui.Format;
import java.util.Map;

/** One disk drawn as a bar: partitions to scale, with filesystem and used space where known. */
class DiskBar extends Div {

  private static final String[] COLORS = {
    "#2f7fb5", "#3a9d74", "#b5832f", "#8a5bb5", "#b54a4a", "#4a8ab5"
  };

  /** What the newest image learned about a partition. */
  record PartitionFacts(String filesystem, long usedBytes, String method) {}

  DiskBar(DiskView disk, Map<Integer, PartitionFacts> facts) {
    addClassName("holdfast-disk");
    getStyle().set("width", "100%").set("margin-bottom", "var(--lumo-space-m)");
    Div title =
        new Div(
            new Span(
                disk.name()
                    + " · "
                    + Format.bytes(disk.size())
                    + " · "
                    + disk.layout().scheme().toUpperCase()));
    title.getStyle().set("font-weight", "600");
    Div bar = new Div();
    bar.getStyle()
        .set("display", "flex")
        .set("height", "44px")
        .set("border-radius", "var(--lumo-border-radius-m)")
        .set("overflow", "hidden")
        .set("background", "var(--lumo-contrast-10pct)");
    long pos = 0;
    int i = 0;
    for (Partition p : disk.layout().partitions()) {
      if (p.offset() > pos) {
        bar.add(segment(null, p.offset() - pos, disk.size(), null, null));
      }
      bar.add(
          segment(p, p.length(), disk.size(), facts.get(p.number()), COLORS[i++ % COLORS.length]));
      pos = p.end();
    }
    Div legend = new Div();
    legend
        .getStyle()
        .set("font-size", "var(--lumo-font-size-s)")
        .set("color", "var(--lumo-secondary-text-color)");
    for (Partition p : disk.layout().partitions()) {
      PartitionFacts f = facts.get(p.number());
      String text =
          "#"
              + p.number()
              + " "
              + (p.name() == null || p.name().isBlank()
                  ? p.typeName()
                  : p.name() + " (" + p.typeName() + ")")
              + " · "
              + Format.bytes(p.length())
              + (f == null
                  ? ""
                  : " · " + f.filesystem() + ", " + Format.bytes(f.usedBytes()) + " used");
      Div line = new Div(new Span(text));
      legend.add(line);
    }
    if (disk.layout().partitions().isEmpty()) {
      legend.add(new Div(new Span("No partition table: the disk is imaged as a whole.")));
    }
    add(title, bar, legend);
  }

  private static Div segment(
      Partition p, long length, long diskSize, PartitionFacts f, String color) {
    Div seg = new Div();
    double pct = Math.max(0.5, 100.0 * length / Math.max(1, diskSize));
    seg.getStyle()
        .set("width", pct + "%")
        .set("height", "100%")
        .set("position", "relative")
        .set("border-right", "2px solid var(--lumo-base-color)")
        .set("box-sizing", "border-box");
    if (p == null) {
      seg.getElement().setAttribute("title", "unallocated, " + Format.bytes(length));
      return seg;
    }
    seg.getStyle().set("background", color + "55");
    if (f != null && p.length() > 0) {
      Div used = new Div();
      used.getStyle()
          .set("position", "absolute")
          .set("left", "0")
          .set("top", "0")
          .set("bottom", "0")
          .set("width", Math.min(100, 100.0 * f.usedBytes() / p.length()) + "%")
          .set("background", color);
      seg.add(used);
    }
    Span label = new Span("#" + p.number());
    label
        .getStyle()
        .set("position", "relative")
        .set("padding", "var(--lumo-space-xs)")
        .set("color", "white")
        .set("font-size", "var(--lumo-font-size-s)")
        .set("text-shadow", "0 0 2px black");
    seg.add(label);
    seg.getElement()
        .setAttribute(
            "title", "#" + p.number() + " " + p.typeName() + ", " + Format.bytes(p.length()));
    return seg;
  }
}

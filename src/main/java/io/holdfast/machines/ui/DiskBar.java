package io.holdfast.machines.ui;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.machines.DiskView;
import io.holdfast.ui.Format;
import java.util.List;
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
                    + (disk.layout().partitions().isEmpty()
                        ? ""
                        : " · " + disk.layout().scheme().toUpperCase())));
    title.getStyle().set("font-weight", "600");
    Div bar = new Div();
    bar.getStyle()
        .set("display", "flex")
        .set("height", "44px")
        .set("border-radius", "var(--lumo-border-radius-m)")
        .set("overflow", "hidden")
        .set("background", "var(--lumo-contrast-10pct)");
    // a disk without a table is drawn as one partition: a filesystem may fill it from byte 0
    boolean whole = disk.layout().partitions().isEmpty();
    List<Partition> parts =
        whole
            ? List.of(
                new Partition(
                    UsedBlocks.WHOLE_DISK,
                    0,
                    disk.size(),
                    null,
                    "without a partition table",
                    null,
                    null))
            : disk.layout().partitions();
    long pos = 0;
    int i = 0;
    for (Partition p : parts) {
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
    for (Partition p : parts) {
      PartitionFacts f = facts.get(p.number());
      String text =
          label(p)
              + " "
              + (p.name() == null || p.name().isBlank()
                  ? p.typeName()
                  : p.name() + " (" + p.typeName() + ")")
              + " · "
              + Format.bytes(p.length())
              + (f == null ? "" : " · " + facts(f));
      Div line = new Div(new Span(text));
      legend.add(line);
    }
    if (whole && facts.get(UsedBlocks.WHOLE_DISK) == null) {
      legend.add(
          new Div(new Span("The first backup looks for a filesystem that fills the whole disk.")));
    }
    for (String use : disk.inUse()) {
      Div line = new Div(new Span("In use: " + use));
      line.addClassName("disk-in-use");
      legend.add(line);
    }
    add(title, bar, legend);
  }

  private static String label(Partition p) {
    return p.number() == UsedBlocks.WHOLE_DISK ? "Whole disk" : "#" + p.number();
  }

  private static String facts(PartitionFacts f) {
    return f.method().equals("all-sectors")
        ? f.filesystem() + ", imaged sector by sector"
        : f.filesystem() + ", " + Format.bytes(f.usedBytes()) + " used";
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
    Span label = new Span(label(p));
    label
        .getStyle()
        .set("position", "relative")
        .set("padding", "var(--lumo-space-xs)")
        .set("color", "white")
        .set("font-size", "var(--lumo-font-size-s)")
        .set("text-shadow", "0 0 2px black");
    seg.add(label);
    seg.getElement()
        .setAttribute("title", label(p) + " " + p.typeName() + ", " + Format.bytes(p.length()));
    return seg;
  }
}

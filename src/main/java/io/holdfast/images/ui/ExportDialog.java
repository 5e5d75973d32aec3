package io.holdfast.images.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import io.holdfast.images.ImageDisk;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobService;
import io.holdfast.machines.MachineOverview;
import io.holdfast.machines.MachineService;
import io.holdfast.ui.Format;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a disk of an image (or one partition) as a VHDX or raw file, written by the worker of a
 * machine chosen here: what an admin hands to Hyper-V or a forensic tool, or copies to a stick.
 */
final class ExportDialog extends Dialog {

  /** A disk of the image, or one of its partitions; {@code partition} null: the whole disk. */
  private record Part(String disk, Integer partition, String label) {}

  private static final Map<String, Long> SPLITS = new LinkedHashMap<>();

  static {
    SPLITS.put("One file", 0L);
    SPLITS.put("Parts of 4 GiB less 1 MiB (FAT32 sticks)", (4L << 30) - (1L << 20));
    SPLITS.put("Parts of 1 GiB", 1L << 30);
  }

  ExportDialog(ImageView image, ImageService images, MachineService machines, JobService jobs) {
    super("Export image " + image.manifestId());
    setId("export-dialog");
    List<Part> parts = parts(images.disks(image.id()));
    Select<Part> what = new Select<>();
    what.setId("export-what");
    what.setLabel("What");
    what.setItems(parts);
    what.setItemLabelGenerator(Part::label);
    what.setValue(parts.getFirst());

    Select<String> format = new Select<>();
    format.setId("export-format");
    format.setLabel("Format");
    format.setItems("vhdx", "vhd", "raw");
    format.setItemLabelGenerator(
        f ->
            switch (f) {
              case "vhdx" -> "VHDX";
              case "vhd" -> "VHD (fixed, for Azure)";
              default -> "Raw disk image";
            });
    Runnable formatHelp =
        () ->
            format.setHelperText(
                switch (format.getValue()) {
                  case "vhdx" -> "Opens in Hyper-V, Windows, qemu and VirtualBox";
                  case "vhd" ->
                      "What Azure takes for uploads; also Hyper-V, VirtualBox, Xen."
                          + " Up to 2040 GiB";
                  default -> "The disk byte for byte, with holes where it is empty";
                });
    format.setValue("vhdx");

    ComboBox<MachineOverview> machine = new ComboBox<>("Written by the worker of");
    machine.setId("export-machine");
    List<MachineOverview> all =
        machines.page(null, 0, 1000).stream().filter(m -> !m.retired()).toList();
    machine.setItems(all);
    machine.setItemLabelGenerator(MachineOverview::name);
    all.stream().filter(m -> m.id() == image.machineId()).findFirst().ifPresent(machine::setValue);
    machine.setHelperText("It needs the repository's folder, as its backups do");

    TextField target = new TextField("File on that machine");
    target.setId("export-target");
    target.setWidthFull();
    Runnable suggest =
        () ->
            target.setValue(
                "/var/lib/holdfast/exports/"
                    + image.machine()
                    + "-"
                    + image.manifestId()
                    + (what.getValue().disk() == null ? "" : "-" + what.getValue().disk())
                    + (what.getValue().partition() == null
                        ? ""
                        : "-p" + what.getValue().partition())
                    + "."
                    + (format.getValue().equals("raw") ? "img" : format.getValue()));
    Runnable explain =
        () ->
            target.setHelperText(
                what.getValue().disk() == null && parts.size() > 1
                    ? "Each disk goes into a file of its own, its name before the extension"
                        + " (disk sda of pc.vhdx: pc-sda.vhdx); no file is ever overwritten"
                    : "An absolute path; an existing file is never overwritten");
    suggest.run();
    what.addValueChangeListener(e -> suggest.run());
    what.addValueChangeListener(e -> explain.run());
    format.addValueChangeListener(e -> suggest.run());
    format.addValueChangeListener(e -> formatHelp.run());
    formatHelp.run();
    explain.run();

    Select<String> split = new Select<>();
    split.setId("export-split");
    split.setLabel("Split");
    split.setItems(SPLITS.keySet());
    split.setValue("One file");
    split.setHelperText("Parts are numbered .001, .002, …; cat joins them");

    FormLayout form = new FormLayout(what, format, machine, split, target);
    form.setColspan(target, 2);
    Paragraph help =
        new Paragraph(
            "The worker checks every chunk as a restore does. Space without data stays out of a"
                + " VHDX and is a hole in a VHD or raw file. The export is in the audit log.");
    help.getStyle().set("font-size", "var(--lumo-font-size-s)").set("margin", "0");
    add(form, help);

    Button start =
        new Button(
            "Export",
            e ->
                Notifications.attempt(
                    () -> {
                      if (machine.getValue() == null) {
                        throw new IllegalArgumentException(
                            "Choose the machine whose worker writes the file.");
                      }
                      long job =
                          jobs.enqueueExport(
                              image.id(),
                              what.getValue().disk(),
                              what.getValue().partition(),
                              machine.getValue().id(),
                              target.getValue().trim(),
                              format.getValue(),
                              SPLITS.get(split.getValue()),
                              Origins.user(),
                              Origins.current());
                      Notifications.success(
                          "Export of image " + image.manifestId() + " queued as job " + job);
                      close();
                    }));
    start.setId("start-export");
    start.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    getFooter().add(new Button("Cancel", e -> close()), start);
    setWidth("44rem");
  }

  /** The image's disks and, after each, the partitions it imaged. */
  private static List<Part> parts(List<ImageDisk> disks) {
    List<Part> parts = new ArrayList<>();
    if (disks.size() > 1) {
      long all = disks.stream().mapToLong(ImageDisk::size).sum();
      parts.add(
          new Part(null, null, "Every disk (" + disks.size() + ", " + Format.bytes(all) + ")"));
    }
    for (ImageDisk d : disks) {
      parts.add(new Part(d.name(), null, "Disk " + d.name() + " (" + Format.bytes(d.size()) + ")"));
      for (ImageDisk.Part p : d.partitions()) {
        parts.add(
            new Part(
                d.name(),
                p.number(),
                "  " + p.describe() + " of " + d.name() + " (" + Format.bytes(p.length()) + ")"));
      }
    }
    if (parts.isEmpty()) {
      // no layout to offer: the image's only disk, whole
      parts.add(new Part(null, null, "The whole disk"));
    }
    return parts;
  }
}

package io.holdfast.engine.ops;

import io.holdfast.engine.EngineException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which images to keep: the newest {@code last}, and the newest image of each of the most recent
 * {@code hourly} hours, {@code daily} days, and so on (the rule restic and Proxmox use). An image
 * kept by any rule stays; the reasons are reported.
 */
public record Retention(int last, int hourly, int daily, int weekly, int monthly, int yearly) {

  public Retention {
    if (last < 0 || hourly < 0 || daily < 0 || weekly < 0 || monthly < 0 || yearly < 0) {
      throw new EngineException("Retention counts cannot be negative.");
    }
  }

  public boolean keepsNothing() {
    return last + hourly + daily + weekly + monthly + yearly == 0;
  }

  /** An image as far as retention cares. */
  public record Item(String id, Instant created) {}

  /** The decision for one image; {@code reasons} is empty for an image to remove. */
  public record Decision(Item item, List<String> reasons) {
    public boolean keep() {
      return !reasons.isEmpty();
    }
  }

  public List<Decision> apply(List<Item> items, ZoneId zone) {
    if (keepsNothing()) {
      throw new EngineException(
          "This retention keeps nothing; give at least one keep rule so that not every image is deleted.");
    }
    List<Item> newest = new ArrayList<>(items);
    newest.sort(Comparator.comparing(Item::created).reversed());
    Map<Item, List<String>> reasons = new LinkedHashMap<>();
    newest.forEach(i -> reasons.put(i, new ArrayList<>()));
    for (int i = 0; i < Math.min(last, newest.size()); i++) {
      reasons.get(newest.get(i)).add("last");
    }
    bucket(newest, reasons, hourly, "hourly", t -> t.toLocalDate() + "T" + t.getHour(), zone);
    bucket(newest, reasons, daily, "daily", t -> t.toLocalDate().toString(), zone);
    bucket(
        newest,
        reasons,
        weekly,
        "weekly",
        t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
        zone);
    bucket(newest, reasons, monthly, "monthly", t -> t.getYear() + "-" + t.getMonthValue(), zone);
    bucket(newest, reasons, yearly, "yearly", t -> String.valueOf(t.getYear()), zone);
    return newest.stream().map(i -> new Decision(i, List.copyOf(reasons.get(i)))).toList();
  }

  private static void bucket(
      List<Item> newest,
      Map<Item, List<String>> reasons,
      int count,
      String rule,
      Function<ZonedDateTime, String> key,
      ZoneId zone) {
    Set<String> seen = new HashSet<>();
    for (Item i : newest) {
      if (seen.size() >= count) {
        return;
      }
      if (seen.add(key.apply(i.created().atZone(zone)))) {
        reasons.get(i).add(rule);
      }
    }
  }
}

package io.holdfast.plans;

import java.time.Instant;
import java.util.List;

/**
 * What a plan's retention will do after its next backup.
 *
 * @param rules the rules, as people read them (e.g. "keep 7 daily, 4 weekly")
 * @param kept images of the plan's machines that stay
 * @param letGo images that go, oldest first
 */
public record RetentionPreview(String rules, int kept, List<Image> letGo) {

  /** An image the rules let go. */
  public record Image(long id, String machine, String manifestId, Instant created) {}
}

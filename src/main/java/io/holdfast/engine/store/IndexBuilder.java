package io.holdfast.engine.store;

import io.holdfast.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A new index file, written pack by pack while garbage collection walks the packs or a {@link
 * PackWriter} finishes them, that replaces the index files there were once it is {@link #commit
 * committed}. Closing it uncommitted (a dry run, a failure) leaves the repository's index files as
 * they were.
 */
public final class IndexBuilder implements AutoCloseable {

  private final Repository repo;
  private final Path tmp;
  private final Path target;
  private final IndexFile.Writer writer;
  private boolean committed;

  IndexBuilder(Repository repo, Path tmp, Path target) throws IOException {
    this.repo = repo;
    this.tmp = tmp;
    this.target = target;
    Files.createDirectories(tmp.getParent());
    Files.createDirectories(target.getParent());
    this.writer = new IndexFile.Writer(tmp);
  }

  /** Names a pack that stays as it is, with every chunk it holds. */
  public synchronized void add(Repository.StoredPack pack) {
    List<PackFile.Entry> entries = new ArrayList<>(pack.chunks().size());
    for (Repository.PackedChunk c : pack.chunks()) {
      entries.add(new PackFile.Entry(HexFormat.of().parseHex(c.digest()), c.offset(), c.length()));
    }
    try {
      writer.add(pack.path().getFileName().toString(), entries);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  synchronized void add(IndexFile.Pack pack) {
    try {
      writer.add(pack.name(), pack.entries());
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /**
   * Makes the new index file durable under its final name, then deletes {@code replaced} (index
   * files listed before the walk began; those written since stay).
   */
  public synchronized void commit(List<Path> replaced) {
    try {
      writer.finish();
      writer.close();
      Durable.fsync(tmp);
      Durable.move(tmp, target);
      Durable.syncDirectory(target.getParent());
      committed = true;
      for (Path f : replaced) {
        Files.deleteIfExists(f);
      }
      if (!replaced.isEmpty()) {
        Durable.syncDirectory(target.getParent());
      }
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private EngineException failed(IOException e) {
    return new EngineException(
        "Cannot write an index file to " + repo.root() + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    if (!committed) {
      try {
        writer.close();
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // a stray file in tmp/: the next collection removes it
      }
    }
  }
}

package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.export.PartedFile;
import io.holdfast.engine.export.Vhd;
import io.holdfast.engine.export.Vhdx;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one disk of an image, one partition of it, or each of its disks, as files that other tools
 * open: a dynamic VHDX (Hyper-V, Windows' disk management, qemu, VirtualBox), a fixed VHD (what
 * Azure takes for an uploaded disk; Hyper-V generation 1, VirtualBox, Xen) or a raw disk image;
 * whole, or split into numbered parts for removable media. Each chunk is checked as a restore
 * checks it. Zero chunks are not written: a raw file or a VHD keeps holes there, a VHDX leaves out
 * every block without data.
 */
public final class ExportImage {

  public enum Format {
    RAW,
    VHDX,
    /** fixed: the raw bytes, padded to a whole MiB, and a footer */
    VHD;

    /** The format a name such as "vhdx" means. */
    public static Format named(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new EngineException("Unknown export format '" + name + "'; use vhdx, vhd or raw.");
      }
    }
  }

  /**
   * @param disk the disk's name; null for the only disk, or for every disk of an image of several,
   *     each into a file of its own ({@link #targetFor})
   * @param partition only this partition, as a disk of its own; null for the whole disk
   * @param splitBytes the size of each part; 0 for one file
   */
  public record Options(
      String imageId,
      String disk,
      Integer partition,
      Format format,
      Path target,
      long splitBytes) {}

  /**
   * @param virtualBytes the size of the disk the files hold
   * @param dataBytes the bytes of non-zero chunks written
   * @param fileBytes the files' length, holes included
   */
  public record Report(long virtualBytes, long dataBytes, long fileBytes, List<Path> files) {}

  private final Repository repo;
  private final Progress progress;
  private final Cancellation cancel;

  public ExportImage(Repository repo, Progress progress, Cancellation cancel) {
    this.repo = repo;
    this.progress = progress;
    this.cancel = cancel;
  }

  public Report run(Options o) {
    Manifest m = repo.findManifest(o.imageId());
    if (o.disk() == null && o.partition() == null && m.disks().size() > 1) {
      return runEach(m, o);
    }
    return runOne(m, o, progress);
  }

  /**
   * Every disk of an image of several, each into a file of its own named after it ({@link
   * #targetFor}), one after the other. No file is written when one of the names is taken, and the
   * files of the disks before are removed when a later disk fails: an export is whole or absent.
   */
  private Report runEach(Manifest m, Options o) {
    List<Path> targets = m.disks().stream().map(d -> targetFor(o.target(), d.name())).toList();
    for (Path t : targets) {
      // each disk's first file; a later part found taken fails that disk, and the files before go
      PartedFile.refuseIfTaken(PartedFile.partName(t, o.splitBytes(), 0));
    }
    long total = m.disks().stream().mapToLong(Manifest.DiskImage::size).sum();
    long before = 0;
    long virtual = 0;
    long data = 0;
    long file = 0;
    List<Path> files = new ArrayList<>();
    try {
      for (int i = 0; i < m.disks().size(); i++) {
        Manifest.DiskImage d = m.disks().get(i);
        long offset = before;
        Progress each =
            (phase, done, ignored) -> progress.update(phase + " " + d.name(), offset + done, total);
        Report r =
            runOne(
                m,
                new Options(
                    o.imageId(), d.name(), null, o.format(), targets.get(i), o.splitBytes()),
                each);
        virtual += r.virtualBytes();
        data += r.dataBytes();
        file += r.fileBytes();
        files.addAll(r.files());
        before += d.size();
      }
    } catch (RuntimeException e) {
      for (Path f : files) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException gone) {
          e.addSuppressed(gone);
        }
      }
      throw e;
    }
    return new Report(virtual, data, file, List.copyOf(files));
  }

  /**
   * Where disk {@code disk} of an image of several goes when the export names {@code target}: the
   * disk's name before the extension, {@code /x/vm.vhdx} and {@code sda} giving {@code
   * /x/vm-sda.vhdx}.
   */
  public static Path targetFor(Path target, String disk) {
    String name = target.getFileName().toString();
    String safe = disk.replaceAll("[^A-Za-z0-9._-]", "_");
    int dot = name.lastIndexOf('.');
    String each =
        dot > 0 ? name.substring(0, dot) + "-" + safe + name.substring(dot) : name + "-" + safe;
    return target.resolveSibling(each);
  }

  private Report runOne(Manifest m, Options o, Progress progress) {
    RestoreImage.Region region = RestoreImage.region(m, o.disk(), o.partition());
    Manifest.DiskImage disk = region.disk();
    long size = region.end() - region.start();
    int cs = m.chunkSize();
    int first = (int) (region.start() / cs);
    int last = (int) ((region.end() + cs - 1) / cs);
    Vhdx vhdx = null;
    if (o.format() == Format.VHDX) {
      BitSet present = new BitSet();
      for (int i = first; i < last; i++) {
        if (disk.chunks().get(i) != null) {
          long from = Math.max((long) i * cs, region.start()) - region.start();
          long to = Math.min((long) (i + 1) * cs, region.end()) - region.start();
          present.set((int) (from / Vhdx.BLOCK_SIZE), (int) ((to - 1) / Vhdx.BLOCK_SIZE) + 1);
        }
      }
      vhdx = new Vhdx(size, present, UUID.randomUUID());
    }
    long fileLength =
        vhdx != null ? vhdx.fileLength() : o.format() == Format.VHD ? Vhd.fileLength(size) : size;
    List<String> prints =
        disk.fingerprints() != null && disk.fingerprints().size() == disk.chunks().size()
            ? disk.fingerprints()
            : null;
    try (PartedFile out = new PartedFile(o.target(), fileLength, o.splitBytes())) {
      if (vhdx != null) {
        for (Vhdx.Piece p : vhdx.structures()) {
          out.write(ByteBuffer.wrap(p.bytes()), p.at());
        }
      }
      if (o.format() == Format.VHD) {
        out.write(
            ByteBuffer.wrap(Vhd.footer(size, UUID.randomUUID(), java.time.Instant.now())),
            Vhd.footerAt(size));
      }
      AtomicLong done = new AtomicLong();
      AtomicLong data = new AtomicLong();
      // plain chunks on their way from a core to a writer thread, reused
      Queue<byte[]> buffers = new ConcurrentLinkedQueue<>();
      Vhdx layout = vhdx;
      try (ChunkPool pool =
          new ChunkPool(ChunkPool.defaultThreads(), PackWindow.READS, WRITE_THREADS, cs, cancel)) {
        for (int i = first; i < last; i++) {
          long cFrom = (long) i * cs;
          long sFrom = Math.max(cFrom, region.start());
          long sTo = Math.min(Math.min(cFrom + cs, disk.size()), region.end());
          String digest = disk.chunks().get(i);
          if (digest == null) {
            progress.update("exporting", done.addAndGet(sTo - sFrom), size);
            continue;
          }
          String print = prints == null ? null : prints.get(i);
          pool.<byte[], byte[]>submit(
              i,
              index -> repo.readBlob(digest),
              (index, blob) -> {
                byte[] plain = buffers.poll();
                repo.decodeChunk(digest, print, blob, plain == null ? plain = new byte[cs] : plain);
                return plain;
              },
              (index, plain) -> {
                write(
                    out,
                    layout,
                    plain,
                    (int) (sFrom - cFrom),
                    (int) (sTo - sFrom),
                    sFrom - region.start());
                buffers.offer(plain);
                data.addAndGet(sTo - sFrom);
                progress.update("exporting", done.addAndGet(sTo - sFrom), size);
              });
        }
        pool.await();
      }
      List<Path> files = out.finish();
      long virtual = o.format() == Format.VHD ? Vhd.virtualSize(size) : size;
      return new Report(virtual, data.get(), fileLength, files);
    } catch (IOException e) {
      throw new EngineException("Writing " + o.target() + " failed: " + e.getMessage(), e);
    }
  }

  /** Threads writing exported chunks, so the cores keep decoding while the target writes. */
  private static final int WRITE_THREADS = 2;

  /**
   * Writes {@code length} bytes of {@code plain} from {@code offset} for virtual byte {@code at}.
   */
  private static void write(
      PartedFile out, Vhdx vhdx, byte[] plain, int offset, int length, long at) throws IOException {
    if (vhdx == null) {
      out.write(ByteBuffer.wrap(plain, offset, length), at);
      return;
    }
    // a chunk may straddle two payload blocks, which need not be neighbours in the file
    int done = 0;
    while (done < length) {
      long v = at + done;
      int n = (int) Math.min(length - done, Vhdx.BLOCK_SIZE - v % Vhdx.BLOCK_SIZE);
      out.write(ByteBuffer.wrap(plain, offset + done, n), vhdx.fileOffset(v));
      done += n;
    }
  }
}

package io.holdfast.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/** The worker's state folder: its credential, readable by its owner only. */
final class WorkerState {

  private final Path dir;

  WorkerState(Path dir) {
    this.dir = dir;
  }

  Path credentialFile() {
    return dir.resolve("credential.properties");
  }

  /** The stored credential, or null before enrolment. */
  String credential() throws IOException {
    Path f = credentialFile();
    if (!Files.exists(f)) {
      return null;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    return p.getProperty("credential");
  }

  void saveCredential(String credential, long workerId, String console) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path tmp = dir.resolve("credential.tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties p = new Properties();
    p.setProperty("credential", credential);
    p.setProperty("workerId", Long.toString(workerId));
    p.setProperty("console", console);
    try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "Holdfast worker credential: keep private");
    }
    Files.move(
        tmp, credentialFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

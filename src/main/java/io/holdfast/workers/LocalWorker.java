package io.holdfast.workers;

import io.holdfast.engine.disk.DemoDisk;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.worker.Agent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The built-in worker of a single-machine install: the same agent and protocol as a remote worker,
 * talking to this console over loopback, so a new user can try the whole loop at once. It offers a
 * demo disk made by the engine, and real block devices it can read.
 */
@ApplicationScoped
class LocalWorker {

  private static final Logger LOG = Logger.getLogger(LocalWorker.class);

  @Inject WorkerService workers;

  @ConfigProperty(name = "holdfast.local-worker.enabled", defaultValue = "true")
  boolean enabled;

  @ConfigProperty(name = "holdfast.local-worker.scan-devices", defaultValue = "false")
  boolean scanDevices;

  /** Disk image files the local worker offers besides its demo disk (comma-separated). */
  @ConfigProperty(name = "holdfast.local-worker.disk-files")
  java.util.Optional<List<String>> diskFiles;

  @ConfigProperty(name = "holdfast.data-dir")
  java.util.Optional<String> dataDirSetting;

  @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
  int port;

  private Agent agent;

  void start(@Observes @Priority(2000) StartupEvent event) {
    if (!enabled) {
      return;
    }
    Path home = Path.of(dataDir(), "local-worker");
    Path demo = home.resolve("disks").resolve("demo-disk.img");
    DemoDisk.ensure(demo);
    List<Path> offered = new java.util.ArrayList<>(List.of(demo));
    diskFiles.orElse(List.of()).stream().map(Path::of).forEach(offered::add);
    String token = null;
    if (!Files.exists(home.resolve("state").resolve("credential.properties"))) {
      token = workers.createToken("built-in local worker", "system", RequestOrigin.SYSTEM).token();
    }
    agent =
        new Agent(
            new Agent.Config(
                URI.create("http://127.0.0.1:" + port),
                home.resolve("state"),
                token,
                io.holdfast.worker.WorkerMain.localHostname(),
                List.copyOf(offered),
                scanDevices,
                2,
                25,
                // encrypted repositories: HOLDFAST_REPO_PASSPHRASE, as for any worker
                null));
    Thread t = new Thread(agent, "holdfast-local-worker");
    t.setDaemon(true);
    t.start();
    LOG.infof("Local worker started; disks %s", offered);
  }

  void stop(@Observes ShutdownEvent event) {
    if (agent != null) {
      agent.stop();
    }
  }

  private String dataDir() {
    return dataDirSetting.orElseGet(() -> io.holdfast.platform.LocalSecrets.dataDir().toString());
  }
}

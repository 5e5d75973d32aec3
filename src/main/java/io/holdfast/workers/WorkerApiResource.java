package io.holdfast.workers;

import io.holdfast.jobs.JobDispatcher;
import io.holdfast.jobs.JobService;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.Origins;
import io.holdfast.platform.Problem;
import io.holdfast.worker.protocol.Protocol;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The API workers call. Every call but enrolment carries the worker's own credential; people's
 * accounts have no access here, and a worker has none to the rest of the API.
 */
@Path(Protocol.BASE)
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class WorkerApiResource {

  @Inject WorkerService workers;
  @Inject PollAuthentication pollAuthentication;
  @Inject MachineService machines;
  @Inject JobService jobs;
  @Inject JobDispatcher dispatcher;
  @Inject WorkersConfig config;

  @POST
  @Path("enrol")
  public Protocol.EnrolResponse enrol(
      @Valid @NotNull Protocol.EnrolRequest body, @Context HttpServerRequest request) {
    return workers.enrol(body, Origins.of(request));
  }

  @POST
  @Path("inventory")
  public Response inventory(
      @HeaderParam("Authorization") String auth, @Valid @NotNull Protocol.Inventory body) {
    WorkerIdentity w = workers.authenticate(auth);
    machines.applyInventory(w.machineId(), body);
    return Response.noContent().build();
  }

  /**
   * Answers at once with jobs when there are some, else holds the request open until a job for this
   * machine is queued or the wait runs out (25 s at most), then answers.
   */
  @POST
  @Path("poll")
  public Uni<Protocol.PollResponse> poll(
      @HeaderParam("Authorization") String auth, @Valid @NotNull Protocol.PollRequest body) {
    int wait =
        Math.max(
            0,
            Math.min(
                config.maxPollWaitSeconds(),
                body.waitSeconds() == null ? config.maxPollWaitSeconds() : body.waitSeconds()));
    // The common case, an idle worker polling a machine with nothing queued, is answered on the
    // event loop without a database query; anything that needs the database runs on a worker
    // thread.
    WorkerIdentity known = pollAuthentication.recentlyChecked(auth);
    Uni<WorkerIdentity> who =
        known != null
            ? Uni.createFrom().item(known)
            : Uni.createFrom()
                .item(() -> pollAuthentication.checkWithDatabase(auth))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    return who.chain(
        w ->
            claimNow(w, body)
                .chain(
                    now -> {
                      if (!now.jobs().isEmpty()
                          || !now.cancel().isEmpty()
                          || wait == 0
                          || body.capacity() <= 0) {
                        return Uni.createFrom().item(now);
                      }
                      CompletableFuture<Boolean> woken = dispatcher.await(w.machineId());
                      return Uni.createFrom()
                          .completionStage(woken)
                          .ifNoItem()
                          .after(Duration.ofSeconds(wait))
                          .recoverWithItem(false)
                          .onTermination()
                          .invoke(() -> woken.complete(false))
                          .emitOn(Infrastructure.getDefaultWorkerPool())
                          .map(x -> claim(w, body));
                    }));
  }

  private Uni<Protocol.PollResponse> claimNow(WorkerIdentity w, Protocol.PollRequest body) {
    boolean mayClaim = body.capacity() > 0 && dispatcher.mayHaveWork(w.machineId());
    boolean reportsRunning = body.running() != null && !body.running().isEmpty();
    if (!mayClaim && !reportsRunning) {
      return Uni.createFrom().item(new Protocol.PollResponse(List.of(), List.of()));
    }
    return Uni.createFrom()
        .item(() -> claim(w, body))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  private Protocol.PollResponse claim(WorkerIdentity w, Protocol.PollRequest body) {
    jobs.readopt(w.workerId(), body.running());
    // an idle machine's poll costs no query: the dispatcher knows when it last had nothing queued
    List<Protocol.JobOrder> orders =
        body.capacity() > 0 && dispatcher.mayHaveWork(w.machineId())
            ? jobs.claim(w.workerId(), w.machineId(), body.capacity(), w.maxJobs())
            : List.of();
    return new Protocol.PollResponse(orders, jobs.toStop(w.workerId(), body.running()));
  }

  @POST
  @Path("jobs/{id}/progress")
  public Protocol.ProgressAck progress(
      @HeaderParam("Authorization") String auth,
      @PathParam("id") long id,
      @Valid @NotNull Protocol.ProgressReport body) {
    WorkerIdentity w = workers.authenticate(auth);
    return new Protocol.ProgressAck(jobs.progress(w.workerId(), id, body));
  }

  @POST
  @Path("jobs/{id}/log")
  public Response log(
      @HeaderParam("Authorization") String auth,
      @PathParam("id") long id,
      @Valid @NotNull Protocol.LogLines body) {
    WorkerIdentity w = workers.authenticate(auth);
    jobs.log(w.workerId(), id, body.lines() == null ? List.of() : body.lines());
    return Response.noContent().build();
  }

  @POST
  @Path("jobs/{id}/result")
  public Response result(
      @HeaderParam("Authorization") String auth,
      @PathParam("id") long id,
      @Valid @NotNull Protocol.JobResult body) {
    WorkerIdentity w = workers.authenticate(auth);
    if (body.state() == null) {
      throw new IllegalArgumentException("A result needs a state: succeeded, failed or cancelled.");
    }
    jobs.finish(w.workerId(), id, body);
    return Response.noContent().build();
  }

  @ServerExceptionMapper
  Response rejected(WorkerRejected e) {
    return Response.fromResponse(
            Problem.response(Response.Status.UNAUTHORIZED, "Worker not recognised", e.getMessage()))
        .header("WWW-Authenticate", "Bearer realm=\"Holdfast workers\"")
        .build();
  }
}

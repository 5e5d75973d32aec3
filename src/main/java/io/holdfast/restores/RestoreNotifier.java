package io.holdfast.restores;

/**
 * Tells people about restore requests. Any number of CDI beans may implement it (email is built in;
 * chat or ticketing hooks are one bean each). A notifier that fails is logged and never affects the
 * request or the restore.
 */
public interface RestoreNotifier {

  void notify(RestoreEvent.Kind kind, RestoreRequestView request);
}

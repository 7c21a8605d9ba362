/**
 * The one way a kafkajs consumer dies without telling: after a crash it
 * stops its runner, then disconnects its cluster, and only then reports the
 * crash (CRASH) and schedules its restart. That disconnect waits for every
 * request still pending on its connections, and a broker restart can leave
 * one pending for ever (tulios/kafkajs#918). The consumer then logs
 * "Stopped" and nothing more: no CRASH, no restart, no error — the process
 * lives on and reads nothing. CI met it in the broker-outage test: both the
 * engine's consumer and the changelog reader's went silent for minutes.
 *
 * So a consumer that stopped without its owner stopping it must, within a
 * bound, either report its crash or rejoin its group; if it does neither it
 * is stuck, and its owner replaces it. The bound is well above kafkajs's
 * request timeout (30 s), after which a pending request that does get an
 * answer has had it.
 */
import type { Consumer } from 'kafkajs';

/** Default bound between a consumer's unasked-for stop and its CRASH or its rejoin. */
export const STUCK_CONSUMER_MS = 45_000;

export interface StuckWatch {
  /** Bound in ms (default STUCK_CONSUMER_MS). */
  afterMs?: number;
  /** True once the owner stops the consumer itself: that stop is expected. */
  stopping: () => boolean;
  /** Called once when the consumer stopped and neither crashed visibly nor rejoined within the bound. */
  onStuck: () => void;
}

/** Watches `consumer` (see the module comment). Events of a consumer its owner has replaced are the owner's to ignore. */
export function watchForStuckStop(consumer: Consumer, watch: StuckWatch): void {
  const afterMs = watch.afterMs ?? STUCK_CONSUMER_MS;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  consumer.on(consumer.events.STOP, () => {
    if (watch.stopping() || timer) return;
    // unref: a process that is ending anyway must not wait for the watch.
    timer = setTimeout(() => {
      timer = undefined;
      if (!watch.stopping()) watch.onStuck();
    }, afterMs).unref();
  });
  // Either kafkajs got past its disconnect (and restarts, or says it will not), or the consumer is back in its group.
  consumer.on(consumer.events.CRASH, clear);
  consumer.on(consumer.events.GROUP_JOIN, clear);
}

/**
 * Disconnecting a kafkajs client whose disconnect may never end: kafkajs
 * waits for every request still pending on its connections, and after a
 * broker restart one can stay pending for ever (tulios/kafkajs#918; CI met
 * it in a consumer, stuck-consumer.ts). A client being replaced — a stuck
 * consumer, the transactional producer after a failed transaction — is
 * waited for at most `ms`, then left to finish, or not, in the background.
 * Errors are the caller's to ignore: the client is done with.
 */
export async function disconnectWithin(client: { disconnect(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.disconnect().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref())),
  ]);
  clearTimeout(timer);
}

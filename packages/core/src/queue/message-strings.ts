import type { UmfMessage } from '@hydra-nest/umf';

// The exact strings of the queue lists, read and rewritten the way Hydra 1.x does.

/** The message a list entry holds, or `undefined` when the entry is not a JSON object. */
export function parseStored(raw: string): UmfMessage | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as UmfMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The string a dead letter is stored as in `mqincomplete`: the message with `bdy.reason` set, as
 * Hydra 1.x's `markQueueMessage(m, false, reason)` writes it (an existing `reason` is replaced in
 * place, a new one is appended; other keys keep their order). A body that is not an object cannot
 * carry a reason and the message is stored unchanged.
 */
export function deadLetterOf(message: object, raw: string, reason: string): string {
  const bdy = (message as { bdy?: unknown }).bdy;
  if (bdy === null || typeof bdy !== 'object' || Array.isArray(bdy)) return raw;
  try {
    return JSON.stringify({ ...message, bdy: { ...bdy, reason: reason || 'reason not provided' } });
  } catch {
    // Nested deeper than JSON.stringify's recursion goes (JSON.parse has no such limit): keep it as is.
    return raw;
  }
}

/**
 * The inverse for requeueing: the message without the `bdy.reason` a dead-lettering added. Strings
 * that are not such messages are returned as they are.
 */
export function withoutReason(raw: string): string {
  const message = parseStored(raw);
  if (!message) return raw;
  const bdy = message.bdy;
  if (bdy === null || typeof bdy !== 'object' || Array.isArray(bdy) || !('reason' in bdy)) return raw;
  const { reason: _reason, ...rest } = bdy as Record<string, unknown>;
  return JSON.stringify({ ...message, bdy: rest });
}

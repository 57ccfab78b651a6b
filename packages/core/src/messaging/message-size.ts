import { HydraConfigError } from '../errors.js';
import { MessageTooLargeError } from './messaging-errors.js';

/**
 * Default `messaging.maxMessageBytes`: 8 MiB. Redis closes a subscriber's connection as soon as its
 * pub/sub output buffer passes 32 MB (`client-output-buffer-limit pubsub 32mb 8mb 60`, measured: a
 * 40 MB PUBLISH disconnected the subscriber at once), and keeps it only 60 s above 8 MB; a message of
 * this size leaves room for a few more queued behind it.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** Which option a size limit comes from, for error messages. */
export type MessageSizeOption = 'messaging.maxMessageBytes' | 'queue.maxMessageBytes';

/**
 * Checks `messaging.maxMessageBytes` (or the option `name`): a positive number of bytes, or `Infinity`
 * for no limit.
 */
export function messageSizeLimit(
  option: number | undefined,
  name: MessageSizeOption = 'messaging.maxMessageBytes',
): number {
  if (option === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof option !== 'number' || Number.isNaN(option) || option <= 0) {
    throw new HydraConfigError(
      `${name} is ${String(option)}; give a positive number of bytes (default ` +
        `${DEFAULT_MAX_MESSAGE_BYTES}), or Infinity for no limit`,
    );
  }
  return option;
}

/**
 * The error to reject with when `payload` is over `limit` bytes of UTF-8, else undefined. Costs one
 * comparison for a message that cannot be over the limit whatever its characters; only the others are
 * measured. `option` names the limit in the error.
 */
export function messageTooLarge(
  payload: string,
  limit: number,
  to: string,
  option?: MessageSizeOption,
): MessageTooLargeError | undefined {
  if (payload.length * MAX_UTF8_BYTES_PER_UNIT <= limit) return undefined;
  const bytes = Buffer.byteLength(payload, 'utf8');
  return bytes > limit ? new MessageTooLargeError(to, bytes, limit, option) : undefined;
}

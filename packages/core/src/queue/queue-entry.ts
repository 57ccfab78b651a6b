import { validateMessage, type UmfMessage } from '@hydra-nest/umf';
import { deadLetterOf, parseStored } from './message-strings.js';
import type { StoredEntry, TakenMessage } from './queue-commands.js';

/** A taken entry, checked before any handler sees it: a message to run, or one to reject. */
export type CheckedEntry =
  | { message: UmfMessage; rejected?: undefined }
  | {
      /** Why it cannot run, for the log and `bdy.reason`. */
      rejected: string;
      /** What goes to `mqincomplete`: the entry with `bdy.reason` when it has an object body, else as is. */
      deadLetter: StoredEntry;
    };

/**
 * Checks a list entry the way messages on the channels are checked: it must be UTF-8 JSON of a valid
 * UMF message (`validateMessage`), except that `frm` may be any non-empty string, as Hydra 1.x's
 * `queueMessage` lets it be (no reply goes there). A handler is thus never given a `mid`, `typ` or `bdy`
 * of a type it does not expect.
 */
export function checkEntry(taken: TakenMessage): CheckedEntry {
  if (taken.bytes) return { rejected: 'it is not valid UTF-8', deadLetter: taken.bytes };
  const message = parseStored(taken.raw);
  if (!message) return { rejected: 'it is not a JSON object', deadLetter: taken.raw };
  const sender = message.frm;
  const issues = validateMessage(message).filter(
    (issue) => !(issue.field === 'frm' && typeof sender === 'string' && sender !== ''),
  );
  if (issues.length === 0) return { message };
  const rejected = `it is not a valid UMF message: ${issues.map((i) => i.message).join('; ')}`;
  return { rejected, deadLetter: deadLetterOf(message, taken.raw, rejected) };
}

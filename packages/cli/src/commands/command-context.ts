import type { Output } from '../output.js';
import type { CliSession } from '../session.js';

/** What a command runs with: the open session and where to write. */
export interface CommandContext {
  session: CliSession;
  out: Output;
}

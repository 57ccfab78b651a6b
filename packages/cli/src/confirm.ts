import { createInterface } from 'node:readline/promises';
import { CliError, UsageError } from './cli-errors.js';
import { ExitCode } from './exit-codes.js';

/**
 * Asks on the terminal before a destructive step, unless `yes` (`--yes`) was given. Without a terminal
 * to ask on (a script, a pipe), refuses: scripts must say `--yes`.
 *
 * @throws {@link UsageError} without a terminal; `CliError` (exit 1) when the answer is not yes.
 */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      `${question.replace(/\?$/, '')}: refused without --yes (there is no terminal to confirm on)`,
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await prompt.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes')
      throw new CliError('cancelled: nothing was changed', ExitCode.Usage);
  } finally {
    prompt.close();
  }
}

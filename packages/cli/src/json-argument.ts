import { UsageError } from './cli-errors.js';

/**
 * Parses a JSON command-line argument; `-` reads it from stdin.
 *
 * @throws {@link UsageError} naming `what` when the text is not JSON.
 */
export async function readJsonArgument(what: string, text: string): Promise<unknown> {
  const source = text === '-' ? await readStdin() : text;
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new UsageError(
      `${what} is not valid JSON (${(error as Error).message}); quote it for the shell, e.g. '{"name":"x"}'`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

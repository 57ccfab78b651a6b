/** Text styles; each is the identity when colours are off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

const ansi =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const COLOURS: Style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  red: ansi(31, 39),
  cyan: ansi(36, 39),
};

const plain = (text: string): string => text;
const PLAIN: Style = { bold: plain, dim: plain, green: plain, yellow: plain, red: plain, cyan: plain };

/**
 * Whether to colour output: only on a terminal, never when `NO_COLOR` is set to anything non-empty
 * (no-color.org); `FORCE_COLOR` (non-empty, not `0`) colours a pipe too.
 */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The styles to use: ANSI colours or plain text. */
export function styleFor(colour: boolean): Style {
  return colour ? COLOURS : PLAIN;
}

/** The width a string takes on screen, ANSI escapes left out. */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex -- ANSI escapes are control characters by definition
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

import { styleFor, wantsColour, type Style } from './style.js';

/** Where a command writes: JSON for scripts (`--json`) or human text, coloured on a terminal only. */
export class Output {
  /** Styles for human text (plain unless colours are on). */
  readonly style: Style;

  constructor(
    /** Whether `--json` was given. */
    readonly json: boolean,
    readonly colour: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {
    this.style = styleFor(colour && !json);
  }

  /** An output on this process's stdout, colours decided by {@link wantsColour}. */
  static forProcess(json: boolean): Output {
    return new Output(json, wantsColour(process.stdout));
  }

  /** Writes `value` as JSON with `--json`, else the text `human()` renders. */
  result(value: unknown, human: () => string): void {
    this.write(this.json ? JSON.stringify(value, null, 2) : human());
  }

  /** Writes one line of text (a newline is added). */
  write(text: string): void {
    this.stdout.write(`${text}\n`);
  }
}

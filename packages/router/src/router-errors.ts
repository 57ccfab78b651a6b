/** A router option with a value it cannot work with; the message names it and what to give instead. */
export class RouterConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouterConfigError';
  }
}

/** A router used out of order (started twice, or its Hydra instance asked for before it started). */
export class RouterStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouterStateError';
  }
}

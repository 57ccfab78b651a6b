/** Base class of every error hydra-nest core throws. */
export class HydraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Options are missing or invalid; the message names the option and what to give instead. */
export class HydraConfigError extends HydraError {}

/** Redis could not be reached; the message names the address (password hidden) and what to check. */
export class RedisUnavailableError extends HydraError {}

/** An operation needs a started instance (call `start()` first) or one that is not stopped. */
export class HydraStateError extends HydraError {}

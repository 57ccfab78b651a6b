/**
 * The logging surface core needs. Nest's `Logger`, `console` and most loggers fit it as they are.
 */
export interface HydraLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** Writes to the console with a `[hydra-nest]` tag. */
export const consoleLogger: HydraLogger = {
  log: (message) => console.log(`[hydra-nest] ${message}`),
  warn: (message) => console.warn(`[hydra-nest] ${message}`),
  error: (message) => console.error(`[hydra-nest] ${message}`),
};

/** Drops everything (for tests and tools that print their own output). */
export const silentLogger: HydraLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

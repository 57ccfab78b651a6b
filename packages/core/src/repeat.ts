/** Stops a repetition started with {@link repeatEvery}. */
export type StopRepeating = () => void;

/**
 * Runs `task` every `intervalMs` on a timer that does not keep the process alive, and returns the
 * function that stops it. Background upkeep (presence, health, cache refresh, deadlines) uses it.
 */
export function repeatEvery(intervalMs: number, task: () => void): StopRepeating {
  const timer = setInterval(task, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

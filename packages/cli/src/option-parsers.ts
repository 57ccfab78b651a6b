import { InvalidArgumentError } from 'commander';
import type { QueueListName } from '@hydra-nest/core';

/** Commander parser of a whole number > 0: bad values are usage errors before Redis is contacted. */
export function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new InvalidArgumentError('Give a whole number greater than 0.');
  return value;
}

const LISTS: readonly QueueListName[] = ['received', 'inProgress', 'incomplete', 'delayed'];

/** Commander parser of a queue list: the core's names, or `dead` for the dead letters (`incomplete`). */
export function queueListName(text: string): QueueListName {
  if (text === 'dead') return 'incomplete';
  if ((LISTS as readonly string[]).includes(text)) return text as QueueListName;
  throw new InvalidArgumentError(`Use one of ${LISTS.join(', ')}, dead (= incomplete).`);
}

/** {@link queueListName}, or `all` (purge). */
export function queueListOrAll(text: string): QueueListName | 'all' {
  if (text === 'all') return 'all';
  try {
    return queueListName(text);
  } catch {
    throw new InvalidArgumentError(`Use one of ${LISTS.join(', ')}, dead (= incomplete), all.`);
  }
}

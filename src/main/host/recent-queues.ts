/**
 * Recently used Redis queues of distributed rotations: URL and CA file,
 * newest first (recent-list.ts). Never the password: the form asks for it
 * each time.
 */
import type { QueueConnection } from '../../shared/ipc-contract.js';
import { checkQueueConnectionRequest } from '../../shared/ipc-distributed-validation.js';
import { RecentList } from './recent-list.js';

export const RECENT_QUEUES_FILE = 'recent-queues.json';
export const MAX_RECENT_QUEUES = 10;

/** Exactly the fields of a queue, checked as the form's: nothing else (its password) slips in. */
function queueOf(value: unknown): QueueConnection {
  const { url, caFile } = checkQueueConnectionRequest({ ...(value as object), password: '' });
  return { url, caFile };
}

export class RecentQueues extends RecentList<QueueConnection> {
  constructor(dataDir: string) {
    super(dataDir, {
      fileName: RECENT_QUEUES_FILE,
      field: 'queues',
      max: MAX_RECENT_QUEUES,
      read: queueOf,
      same: (a, b) => a.url === b.url,
    });
  }
}

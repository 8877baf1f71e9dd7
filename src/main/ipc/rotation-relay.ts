/**
 * Forwards every job event (rotation, pre-flight, verify) to the renderer on
 * the one push channel, and mirrors rotations in the OS: task bar / dock
 * progress, and a notification when a long rotation ends.
 */
import { basename } from 'node:path';
import { Notification, type BrowserWindow } from 'electron';
import { IPC_CHANNELS, isRotationEvent, type JobEvent } from '../../shared/ipc-contract.js';
import {
  distributedProgressBarValue,
  errorNotification,
  NO_PROGRESS_BAR,
  progressBarValue,
  resultNotification,
  shouldNotify,
  type NotificationText,
} from '../host/job-feedback.js';
import type { VaultService } from '../host/vault-service.js';

interface TrackedJob {
  readonly startedAt: number;
  readonly fileName: string;
}

function notify(text: NotificationText): void {
  if (Notification.isSupported()) new Notification({ title: text.title, body: text.body }).show();
}

/** Returns the unsubscribe function. */
export function relayJobEvents(
  service: VaultService,
  window: () => BrowserWindow | null,
): () => void {
  const jobs = new Map<string, TrackedJob>();
  const track = (jobId: string): TrackedJob => {
    let job = jobs.get(jobId);
    if (!job) {
      const active = service.activeRotation();
      job =
        active?.jobId === jobId
          ? { startedAt: active.startedAt, fileName: basename(active.vaultPath) }
          : { startedAt: Date.now(), fileName: 'Vault' };
      jobs.set(jobId, job);
    }
    return job;
  };

  return service.onJobEvent((event: JobEvent) => {
    const target = window();
    const live = target && !target.isDestroyed() ? target : null;
    live?.webContents.send(IPC_CHANNELS.jobEvent, event);
    // Checks are short and shown in their dialog: the OS mirrors rotations only.
    if (event.type === 'distributed-progress') {
      track(event.jobId);
      live?.setProgressBar(distributedProgressBarValue(event.progress));
      return;
    }
    if (!isRotationEvent(event)) return;
    const job = track(event.jobId);
    if (event.type === 'progress') {
      live?.setProgressBar(progressBarValue(event.progress));
      return;
    }
    jobs.delete(event.jobId);
    live?.setProgressBar(NO_PROGRESS_BAR);
    if (!shouldNotify(job.startedAt, Date.now())) return;
    notify(
      event.type === 'result'
        ? resultNotification(job.fileName, event.result)
        : errorNotification(job.fileName, event.error),
    );
  });
}

import type { ReactNode } from 'react';
import { describeChoice } from '../../lib/argon2-choices.js';
import type { JobSettings } from '../../lib/report.js';

/** What the job was asked to do, in words (never a password: JobSettings holds none). */
export function JobSettingsList({ settings }: { settings: JobSettings }): ReactNode {
  return (
    <dl className="job-settings" aria-label="Job settings">
      <div>
        <dt>Argon2id</dt>
        <dd>{describeChoice(settings.crypto)}</dd>
      </div>
      <div>
        <dt>Soft-deleted</dt>
        <dd>{settings.includeSoftDeleted ? 'Rotated too' : 'Left alone'}</dd>
      </div>
      <div>
        <dt>Backup</dt>
        <dd>
          {settings.dryRun ? 'None (dry run)' : settings.backup ? 'Before the first write' : 'Off'}
        </dd>
      </div>
      <div>
        <dt>Mode</dt>
        <dd>
          {settings.dryRun ? 'Dry run: nothing is written' : 'Writing'}
          {settings.resume ? ', resumed' : ''}
        </dd>
      </div>
      {settings.distributed ? (
        <div>
          <dt>Queue</dt>
          <dd>
            {settings.distributed.queueUrl}
            {settings.distributed.workHere ? ', this machine works too' : ', coordinated only'}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

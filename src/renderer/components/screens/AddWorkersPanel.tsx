import { useId, useState, type ReactNode } from 'react';
import type { ServerConnection, ServerConnectionRequest } from '../../../shared/ipc-contract.js';
import { kubernetesJob, workerCommand, workerNeeds } from '../../lib/worker-instructions.js';
import { serverConnectionOf } from '../../lib/server-connection.js';
import { connectionRequestOf } from '../../store/connection-state.js';
import { useAppState } from '../../store/store-context.js';

type CopyTarget = 'command' | 'manifest';
/** what was copied last, or could not be */
type Copied = { what: CopyTarget; ok: boolean } | null;

/** A text to copy, its title and its Copy button (the live region says when it was copied). */
function CopyBlock({
  title,
  what,
  text,
  copied,
  onCopy,
}: {
  title: string;
  what: CopyTarget;
  text: string;
  copied: Copied;
  onCopy(what: CopyTarget, text: string): void;
}): ReactNode {
  return (
    <>
      <div className="copy-row">
        <h3 className="section-title">{title}</h3>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => onCopy(what, text)}
        >
          Copy {what}
        </button>
      </div>
      {/* Focusable: a long manifest scrolls, and the keyboard must reach it too. */}
      <pre data-testid={`worker-${what}`} tabIndex={0} aria-label={title}>
        {text}
      </pre>
      <p
        className={copied?.what === what && !copied.ok ? 'field-error' : 'visually-hidden'}
        aria-live="polite"
      >
        {copied?.what !== what
          ? ''
          : copied.ok
            ? `The ${what} was copied.`
            : `The ${what} could not be copied: select its text and copy it.`}
      </p>
    </>
  );
}

function withoutPassword({
  password: _never,
  ...connection
}: ServerConnectionRequest): ServerConnection {
  return connection;
}

function NumberInput({
  label,
  value,
  onChange,
  hint,
}: {
  label: string;
  value: number;
  onChange(value: number): void;
  hint: string;
}): ReactNode {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        type="number"
        min={1}
        max={256}
        value={value}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          const next = Math.round(Number(event.target.value));
          if (Number.isFinite(next) && next >= 1 && next <= 256) onChange(next);
        }}
      />
      <p id={`${id}-hint`} className="field-hint">
        {hint}
      </p>
    </div>
  );
}

/**
 * "Add workers": the command for another machine and a Kubernetes Job for
 * many, both copyable (lib/worker-instructions.ts makes them; they name
 * password files, never a password), and what a worker needs.
 */
export function AddWorkersPanel(): ReactNode {
  const job = useAppState((state) => state.job);
  const vault = useAppState((state) => state.vault);
  const recent = useAppState((state) => state.recentConnections);
  const form = useAppState((state) => state.connectionForm);
  const [pool, setPool] = useState(4);
  const [parallelism, setParallelism] = useState(4);
  const [copied, setCopied] = useState<Copied>(null);
  const distributed = job?.settings.distributed;
  if (!job || !vault || !distributed) return null;
  const fromForm = connectionRequestOf(form);
  const known = fromForm ? [withoutPassword(fromForm), ...recent] : recent;
  const connection = serverConnectionOf(vault, known);
  if (!connection) return null;
  const input = {
    connection,
    table: job.settings.table,
    queue: { url: distributed.queueUrl, caFile: distributed.queueCaFile },
    queuePassword: distributed.queuePassword,
    // Unknown here (main holds it): the command reads a file, which may be empty.
    databasePassword: true,
    pool,
    crypto: job.settings.crypto,
    ...(job.settings.newCrypto ? { newCrypto: job.settings.newCrypto } : {}),
    parallelism,
  };
  const command = workerCommand(input);
  const manifest = kubernetesJob(input);
  const copy = (what: CopyTarget, text: string): void => {
    const writing =
      navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
    void writing.then(
      () => setCopied({ what, ok: true }),
      () => setCopied({ what, ok: false }),
    );
  };

  return (
    <details className="card add-workers" data-testid="add-workers">
      <summary className="card-title">Add workers</summary>
      <ul className="field-hint">
        {workerNeeds(input).map((need) => (
          <li key={need}>{need}</li>
        ))}
      </ul>
      <div className="queue-fields">
        <NumberInput
          label="Argon2id pool per worker"
          value={pool}
          onChange={setPool}
          hint="Derivations at once: about one per CPU core of the worker."
        />
        <NumberInput
          label="Pods the Job runs at once"
          value={parallelism}
          onChange={setParallelism}
          hint="Kubernetes only."
        />
      </div>
      <CopyBlock
        title="Command for another machine"
        what="command"
        text={command}
        copied={copied}
        onCopy={copy}
      />
      <CopyBlock
        title="Kubernetes Job"
        what="manifest"
        text={manifest}
        copied={copied}
        onCopy={copy}
      />
    </details>
  );
}

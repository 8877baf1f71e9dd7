/**
 * What the "Add workers" panel gives to copy: the `vaultstore-admin worker`
 * command for another machine and a Kubernetes Job manifest for many, both
 * for the rotation this app coordinates. Pure text from the connection
 * (never a password: the input has none, and nothing is copied from it
 * wholesale): every secret is named by a file the worker reads. The manifest
 * is the one docs/distributed.md shows (a test keeps them the same).
 */
import { ARGON2_PRESETS } from '../../core/argon2.js';
import { isLocalHost } from '../../core/local-host.js';
import type { Argon2Choice, ServerConnection } from '../../shared/ipc-contract.js';
import type { QueueConnection } from '../../shared/ipc-distributed-types.js';

export interface WorkerInstructionsInput {
  /** the server vault's connection, as the recent list keeps it (no password) */
  readonly connection: ServerConnection;
  readonly table: string;
  /** the Redis queue (no password) */
  readonly queue: QueueConnection;
  /** Redis asks for a password: the worker reads it from a file */
  readonly queuePassword: boolean;
  /** the database login has a password: the worker reads it from a file */
  readonly databasePassword: boolean;
  /** derivations at once on one worker machine or pod (--workers, the pod's CPU request) */
  readonly pool: number;
  /** the Argon2id settings of the values read, and of those written when they differ */
  readonly crypto: Argon2Choice;
  readonly newCrypto?: Argon2Choice;
  /** pods the Job runs at once; omitted: 16 */
  readonly parallelism?: number;
}

/** Where the plain command reads its secrets (as in docs/distributed.md; the shell expands ~). */
export const COMMAND_SECRET_DIR = '~/.vsa';
/** Where the Job's pods find the Secret's files. */
export const POD_SECRET_DIR = '/run/secrets/vsa';
/** The Secret the manifest mounts, and the Job's name. */
export const SECRET_NAME = 'vault-rotation';
export const JOB_NAME = 'vault-rotation-workers';
/** A placeholder to replace: the registry is the administrator's. */
export const WORKER_IMAGE = 'registry.example/vaultstore-admin:1';
/** Node, the database driver and BullMQ beside the pool's Argon2id memory. */
export const BASE_MEMORY_MIB = 300;
const DEFAULT_PARALLELISM = 16;

/** The secret files a worker reads, by the name of their file in a secret folder. */
export const SECRET_FILES = {
  old: 'old',
  new: 'new',
  db: 'db',
  redis: 'redis',
  dbCa: 'db-ca.pem',
  redisCa: 'redis-ca.pem',
} as const;

const TLS_PARAMETER: Record<ServerConnection['tls'], string> = {
  disable: 'disable',
  require: 'require',
  'verify-full': 'verify-full',
};

/**
 * The connection string a worker opens: the connect form's fields, encoded
 * as main encodes them. sslmode is left out only where it is what the CLI
 * would pick anyway (verify-full for another machine), as in the docs.
 */
export function workerDatabaseUrl(connection: ServerConnection, caFile: string | null): string {
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  const base =
    `${connection.dialect}://${encodeURIComponent(connection.user)}@${host}:${connection.port}/` +
    encodeURIComponent(connection.database);
  const query = new URLSearchParams();
  const implied = connection.tls === 'verify-full' && !isLocalHost(connection.host);
  if (!implied || caFile !== null) query.set('sslmode', TLS_PARAMETER[connection.tls]);
  if (caFile !== null) query.set('sslrootcert', caFile);
  const text = query.toString();
  return text === '' ? base : `${base}?${text}`;
}

type Option = readonly [name: string, value: string];

/** The worker's options after the database URL, for both forms. */
function workerOptions(
  input: WorkerInstructionsInput,
  secretDir: string,
  queueCa: string | null,
): Option[] {
  const file = (name: string): string => `${secretDir}/${name}`;
  return [
    ['--table', input.table],
    ['--queue', input.queue.url],
    ...(input.queuePassword ? [['--queue-password-file', file(SECRET_FILES.redis)] as Option] : []),
    ...(queueCa === null ? [] : [['--queue-ca', queueCa] as Option]),
    ['--workers', String(input.pool)],
    ['--old-password-file', file(SECRET_FILES.old)],
    ['--new-password-file', file(SECRET_FILES.new)],
    ...(input.databasePassword ? [['--db-password-file', file(SECRET_FILES.db)] as Option] : []),
  ];
}

/** A word in single quotes, as a POSIX shell reads it back unchanged. */
function singleQuoted(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A word as a POSIX shell reads it back unchanged; a leading ~/ is left for the shell to expand. */
export function shellWord(word: string): string {
  return /^(~\/)?[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : singleQuoted(word);
}

/**
 * The command to run on another machine, wrapped over lines with `\`. The CA
 * files keep this machine's paths: copy them to the same paths there.
 */
export function workerCommand(input: WorkerInstructionsInput): string {
  const url = workerDatabaseUrl(input.connection, input.connection.caFile);
  // The URL always quoted (as in the docs): its ? and & would mean something to the shell.
  const first = `vaultstore-admin worker ${singleQuoted(url)}`;
  const words = workerOptions(input, COMMAND_SECRET_DIR, input.queue.caFile).map(
    ([name, value]) => `${name} ${shellWord(value)}`,
  );
  // Two options a line, the table on the first: short enough to read in the panel.
  const lines = [`${first} ${words[0]!}`];
  for (let index = 1; index < words.length; index += 2) {
    lines.push(`  ${words.slice(index, index + 2).join(' ')}`);
  }
  return lines.join(' \\\n');
}

/** Argon2id memory of a choice, in KiB. */
function memoryKiB(choice: Argon2Choice): number {
  return choice.preset === 'custom'
    ? choice.config.memoryKiB
    : ARGON2_PRESETS[choice.preset].memoryKiB;
}

function choiceName(choice: Argon2Choice): string {
  return choice.preset === 'custom' ? 'custom' : `preset ${choice.preset}`;
}

export interface PodMemory {
  /** MiB of one derivation (the larger of the read and written settings, rounded up) */
  readonly argon2MiB: number;
  /** pool x argon2MiB + BASE_MEMORY_MIB */
  readonly totalMiB: number;
  /** which settings set argon2MiB */
  readonly from: string;
}

/** Memory of one worker pod: pool x Argon2 memory + 300 MiB. */
export function podMemory(input: WorkerInstructionsInput): PodMemory {
  const choices = input.newCrypto ? [input.crypto, input.newCrypto] : [input.crypto];
  const largest = choices.reduce((a, b) => (memoryKiB(b) > memoryKiB(a) ? b : a));
  const argon2MiB = Math.ceil(memoryKiB(largest) / 1024);
  return {
    argon2MiB,
    totalMiB: input.pool * argon2MiB + BASE_MEMORY_MIB,
    from: choiceName(largest),
  };
}

/** A YAML scalar: plain when it reads back as the same string, else double-quoted (JSON is YAML). */
function yamlScalar(text: string): string {
  const plain =
    /^[A-Za-z0-9/_.-][A-Za-z0-9_@%+=:,./?&-]*$/.test(text) &&
    !/: |:$/.test(text) &&
    !/^(true|false|yes|no|on|off|null|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i.test(text);
  return plain ? text : JSON.stringify(text);
}

/** The files the Job's Secret must hold, in the order the manifest's comment lists them. */
export function secretKeys(input: WorkerInstructionsInput): string[] {
  return [
    SECRET_FILES.old,
    SECRET_FILES.new,
    ...(input.databasePassword ? [SECRET_FILES.db] : []),
    ...(input.queuePassword ? [SECRET_FILES.redis] : []),
    ...(input.connection.caFile === null ? [] : [SECRET_FILES.dbCa]),
    ...(input.queue.caFile === null ? [] : [SECRET_FILES.redisCa]),
  ];
}

/**
 * A Kubernetes Job of worker pods (the work-queue pattern: parallelism, no
 * completions), the passwords as Secret files, CPU request = pool, memory =
 * pool x Argon2 memory + 300 MiB, and a podFailurePolicy that fails the Job on
 * the exits a retry cannot fix (8 passwords refused, 2 usage, 3 cancelled,
 * 6 incomplete).
 */
export function kubernetesJob(input: WorkerInstructionsInput): string {
  const secret = (name: string): string => `${POD_SECRET_DIR}/${name}`;
  const url = workerDatabaseUrl(
    input.connection,
    input.connection.caFile === null ? null : secret(SECRET_FILES.dbCa),
  );
  const queueCa = input.queue.caFile === null ? null : secret(SECRET_FILES.redisCa);
  const args = [
    'worker',
    url,
    ...workerOptions(input, POD_SECRET_DIR, queueCa).map(([name, value]) => `${name}=${value}`),
  ];
  const memory = podMemory(input);
  const keys = secretKeys(input);
  const lines = [
    `# kubectl create secret generic ${SECRET_NAME} ${keys.map((key) => `--from-file=${key}`).join(' ')}`,
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${JOB_NAME}`,
    'spec:',
    `  parallelism: ${input.parallelism ?? DEFAULT_PARALLELISM}`,
    '  backoffLimit: 20            # crashes, lost connections: retried',
    '  activeDeadlineSeconds: 86400  # an upper bound on the whole rotation',
    '  podFailurePolicy:',
    '    rules:',
    "      # evicted, preempted, node drained: not the worker's fault, not counted",
    '      - action: Ignore',
    '        onPodConditions:',
    '          - type: DisruptionTarget',
    '      # 8: the passwords do not open the canaries; 2: a usage error.',
    '      # Every retry would fail the same way: stop the Job.',
    '      - action: FailJob',
    '        onExitCodes:',
    '          containerName: worker',
    '          operator: In',
    '          values: [8, 2]',
    '      # 3: the rotation was cancelled (vaultstore-admin cancel);',
    '      # 6: it ended incomplete (the coordinator says why). Stop too.',
    '      - action: FailJob',
    '        onExitCodes:',
    '          containerName: worker',
    '          operator: In',
    '          values: [3, 6]',
    '  template:',
    '    spec:',
    '      restartPolicy: Never    # required by podFailurePolicy',
    '      containers:',
    '        - name: worker',
    `          image: ${WORKER_IMAGE}`,
    '          args:',
    ...args.map((arg) => `            - ${yamlScalar(arg)}`),
    '            - --no-wait       # create the Job once `status` shows the rotation running',
    '          resources:',
    '            requests:',
    `              cpu: "${input.pool}"        # = --workers: one derivation per core`,
    `              memory: ${memory.totalMiB}Mi   # ${input.pool} workers x ${memory.argon2MiB} MiB (${memory.from}) + ${BASE_MEMORY_MIB} MiB`,
    '            limits:',
    `              memory: ${memory.totalMiB}Mi`,
    '          volumeMounts:',
    '            - name: secrets',
    `              mountPath: ${POD_SECRET_DIR}`,
    '              readOnly: true',
    '      volumes:',
    '        - name: secrets',
    '          secret:',
    `            secretName: ${SECRET_NAME}`,
    // 256 = 0400 (owner reads): a leading-0 octal reads as 400 to a YAML 1.2 parser.
    '            defaultMode: 256    # 0400 in octal; the CLI warns about password files others can read',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * What a worker machine needs, in short sentences for the panel; a host that
 * is this machine's loopback gets a warning (other machines cannot reach it
 * by that name).
 */
export function workerNeeds(input: WorkerInstructionsInput): string[] {
  const { connection, queue } = input;
  const redisHost = new URL(queue.url).hostname.replace(/^\[(.*)\]$/, '$1');
  const needs = [
    `Network access to the database (${connection.host}:${connection.port}) and to Redis (${redisHost}).`,
    `The vault's current and new passwords, each in a file (${SECRET_FILES.old}, ${SECRET_FILES.new}; chmod 600)` +
      (input.databasePassword ? `, and the database password (${SECRET_FILES.db})` : '') +
      (input.queuePassword ? `, and the Redis password (${SECRET_FILES.redis})` : '') +
      '. The passwords never travel through the queue.',
    'vaultstore-admin of the same version as this app. A worker whose passwords are wrong leaves (exit 8) having touched nothing.',
  ];
  if (connection.caFile !== null || queue.caFile !== null) {
    needs.push('The CA certificate files, at the same paths as on this machine.');
  }
  const loopback = [connection.host, redisHost].filter((host) => isLocalHost(host));
  if (loopback.length > 0) {
    needs.push(
      `${[...new Set(loopback)].join(' and ')} is this machine: on another machine, replace it with a name that reaches this one.`,
    );
  }
  return needs;
}

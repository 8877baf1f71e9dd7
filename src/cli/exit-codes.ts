/** Process exit codes of vaultstore-admin: part of its interface for scripts. */
export const EXIT = {
  /** the command did what was asked */
  ok: 0,
  /** an error (vault file, lock, disk, engine): the message says what to do */
  error: 1,
  /** the command line is wrong (unknown option, missing password source, ...) */
  usage: 2,
  /** cancelled (Ctrl-C / SIGTERM); committed work is kept and can be resumed */
  cancelled: 3,
  /** the password opened no record: probably a wrong password or --crypto */
  nothingOpened: 4,
  /** another rotation of the same vault is running (holds its lock); nothing was changed */
  rotationInProgress: 5,
  /** another program kept writing under the old password: records may still open with it; run again */
  incomplete: 6,
  /** verify --fail-if-any-open: records still open with a password that must no longer work */
  stillOpens: 7,
  /** worker: its passwords do not open the rotation's canaries; it claimed nothing (retrying is useless) */
  passwordsRefused: 8,
  /** a second Ctrl-C forced the exit (as a shell reports a SIGINT death) */
  forced: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, for --help and the man page (one list, so neither forgets a code). */
export const EXIT_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [EXIT.ok, 'done'],
  [EXIT.error, 'error: the message says what happened and what to do'],
  [EXIT.usage, 'usage: wrong options, a password on the command line, no password source'],
  [EXIT.cancelled, 'cancelled (Ctrl-C, SIGTERM, SIGHUP); rotate --resume continues'],
  [
    EXIT.nothingOpened,
    'the password opened nothing: wrong password or --crypto, or the vault is already rotated (the message says which)',
  ],
  [EXIT.rotationInProgress, 'another rotation of the vault is running; nothing was changed'],
  [
    EXIT.incomplete,
    'incomplete: records may still open with the old password (another program kept writing with it); run again',
  ],
  [EXIT.stillOpens, 'verify --fail-if-any-open: records still open with that password'],
  [
    EXIT.passwordsRefused,
    "worker: its old or new password does not open the rotation's canaries; it took no shard (do not retry it)",
  ],
  [EXIT.forced, 'a second Ctrl-C forced the exit'],
];

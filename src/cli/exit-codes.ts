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
  /** a second Ctrl-C forced the exit (as a shell reports a SIGINT death) */
  forced: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

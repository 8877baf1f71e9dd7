/**
 * A stream the CLI writes text to (process.stdout/stderr, or a test's), on
 * its own so the colour module and io.ts can both name it without importing
 * each other.
 */
export interface TextOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number | undefined;
}

/**
 * Who a database server runs as: root may not run initdb, so as root the
 * servers (and the tests' read-only children) run as "nobody".
 */
export const NOBODY = 65534;
export const runningAsRoot = process.getuid?.() === 0;

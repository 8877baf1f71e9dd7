/** The server launcher moved to tools/db-servers (the benchmark starts servers too). */
export * from '../../../tools/db-servers/server-process.js';

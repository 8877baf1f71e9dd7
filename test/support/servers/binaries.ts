/** The server programs moved to tools/db-servers (the benchmark starts servers too). */
export * from '../../../tools/db-servers/binaries.js';

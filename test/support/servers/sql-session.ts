/** The SQL session moved to tools/db-servers (the benchmark uses it too). */
export * from '../../../tools/db-servers/sql-session.js';

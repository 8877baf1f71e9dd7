/**
 * vitest globalSetup: starts one PostgreSQL and one MariaDB (in parallel) for
 * the whole run and hands their addresses to the test files with `provide`.
 *
 * Why here and not per test file: a fresh server costs about 1-2 s here
 * (initdb / mariadb-install-db dominate; measured 1.8 s and 0.8-4.6 s on this
 * 2-core machine under load), and about ten files will use them. Each file
 * still gets its own database and logins (testDatabase), so sharing is safe;
 * a test that stops or restarts a server starts a private one
 * (startPrivateServer).
 *
 * Why it costs nothing for other runs: the servers start only when a selected
 * test file imports test/support/servers (a text search of the selected files,
 * a few milliseconds), so `npx vitest run test/engine/x.test.ts` starts none.
 */
import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { findServerPrograms, type ServerKind } from './binaries.js';
import {
  launchServer,
  sweepStaleServerFolders,
  type ManagedServer,
  type ServerInfo,
} from './server-process.js';

/** Per kind: the running server, or why there is none. */
export type ProvidedServers = Record<ServerKind, ServerInfo | { unavailable: string }>;

declare module 'vitest' {
  export interface ProvidedContext {
    vsaServers: ProvidedServers;
  }
}

const USES_SERVERS = /support\/servers(?:\/|['"])/;

async function selectedFilesUseServers(project: TestProject): Promise<boolean> {
  try {
    // filenamePattern is vitest's (internal) list of the file filters given on the command line.
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const { testFiles } = await project.globTestFiles(filters);
    for (const file of testFiles) {
      if (USES_SERVERS.test(await readFile(file, 'utf8'))) return true;
    }
    return false;
  } catch {
    return true; // cannot tell: start them rather than skip tests
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers: ManagedServer[] = [];
  const provided: ProvidedServers = {
    postgres: { unavailable: 'no selected test file uses the database servers' },
    mysql: { unavailable: 'no selected test file uses the database servers' },
  };
  if (await selectedFilesUseServers(project)) {
    sweepStaleServerFolders();
    await Promise.all(
      (['postgres', 'mysql'] as const).map(async (kind) => {
        const programs = findServerPrograms(kind);
        if (typeof programs === 'string') {
          provided[kind] = { unavailable: programs };
          return;
        }
        const started = Date.now();
        try {
          const server = await launchServer(programs);
          servers.push(server);
          provided[kind] = server.info;
          if (process.env.VSA_SERVER_TIMES) {
            console.info(`[servers] ${kind} ready in ${Date.now() - started} ms`);
          }
        } catch (error) {
          provided[kind] = {
            unavailable: `the ${kind} server did not start: ${(error as Error).message}`,
          };
        }
      }),
    );
  }
  project.provide('vsaServers', provided);
  return async () => {
    await Promise.all(servers.map((server) => server.dispose()));
  };
}

/** A self-signed certificate (openssl, made at test time) for the names given. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSigned {
  readonly certFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export const opensslMissing =
  spawnSync('openssl', ['version']).status === 0 ? null : 'openssl is not installed';

export function makeSelfSigned(dir: string, names: readonly string[]): SelfSigned {
  const san = names.map((name) => `DNS:${name}`).join(',');
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${names[0]}`]
      .concat(['-addext', `subjectAltName=${san}`])
      .concat(['-keyout', 'fake.key', '-out', 'fake.pem']),
    { cwd: dir, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return {
    certFile: join(dir, 'fake.pem'),
    cert: readFileSync(join(dir, 'fake.pem')),
    key: readFileSync(join(dir, 'fake.key')),
  };
}

/**
 * Row-level security on a vault table: whether the login sees, and may
 * update, every row. Policies that hide rows make the count, the pass, the
 * sweep, the backup and verify all see the same subset, so a rotation could
 * say "every record visited" while hidden records keep old-password values:
 * the store refuses before anything is read or written (rowSecurityError).
 */
import { EngineError } from '../../errors.js';
import type { PgStatement } from './sql.js';

export interface RowSecurityState {
  enabled: boolean;
  forced: boolean;
  owner: string;
  login: string;
  superuser: boolean;
  bypass: boolean;
  /** the login has the privileges of the owner role (pg_class_ownercheck's test) */
  owns: boolean;
}

export interface PolicyRow {
  name: string;
  /** polcmd: r SELECT, a INSERT, w UPDATE, d DELETE, * ALL */
  cmd: string;
  permissive: boolean;
  /** USING, null when absent */
  qual: string | null;
  /** the policy names PUBLIC or a role whose privileges the login has */
  applies: boolean;
}

/** `table`: the quoted, schema-qualified name. */
export function rowSecurityState(table: string): PgStatement {
  return {
    text: `SELECT c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
        pg_get_userbyid(c.relowner) AS owner, current_user AS login,
        r.rolsuper AS superuser, r.rolbypassrls AS bypass,
        pg_has_role(current_user, c.relowner, 'USAGE') AS owns
      FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
      WHERE c.oid = to_regclass($1)`,
    values: [table],
  };
}

/** Every policy on the table; `applies`: as the server decides it (PUBLIC, or a role the login has the privileges of). */
export function tablePolicies(table: string): PgStatement {
  return {
    text: `SELECT p.polname AS name, p.polcmd::text AS cmd, p.polpermissive AS permissive,
        pg_get_expr(p.polqual, p.polrelid) AS qual,
        (0::oid = ANY (p.polroles) OR EXISTS (SELECT 1 FROM unnest(p.polroles) AS g(role)
          WHERE pg_has_role(current_user, g.role, 'USAGE'))) AS applies
      FROM pg_policy p WHERE p.polrelid = to_regclass($1) ORDER BY p.polname`,
    values: [table],
  };
}

/** Row security applies to this login: enabled, and neither superuser, BYPASSRLS nor an owner it does not force. */
export function rowSecurityApplies(state: RowSecurityState): boolean {
  if (!state.enabled || state.superuser || state.bypass) return false;
  return !state.owns || state.forced;
}

const COMMANDS: Readonly<Record<string, string>> = {
  r: 'SELECT',
  a: 'INSERT',
  w: 'UPDATE',
  d: 'DELETE',
  '*': 'ALL',
};

/** The policies of one command side that may leave rows out; [] when every row passes. */
function limitingPolicies(policies: readonly PolicyRow[], cmd: 'r' | 'w'): PolicyRow[] | null {
  const side = policies.filter((p) => p.applies && (p.cmd === cmd || p.cmd === '*'));
  const permissive = side.filter((p) => p.permissive);
  const restrictive = side.filter((p) => !p.permissive);
  // Permissive quals are OR-ed (none: no row passes), restrictive ones AND-ed; a missing USING passes nothing.
  if (permissive.length === 0) return null;
  const passesAll = (p: PolicyRow): boolean => p.qual?.trim().toLowerCase() === 'true';
  return [
    ...(permissive.some(passesAll) ? [] : permissive),
    ...restrictive.filter((p) => !passesAll(p)),
  ];
}

function describe(policy: PolicyRow): string {
  const kind = policy.permissive ? '' : 'restrictive, ';
  const using = policy.qual === null ? 'no USING' : `USING (${policy.qual})`;
  return `${JSON.stringify(policy.name)} (${kind}FOR ${COMMANDS[policy.cmd] ?? policy.cmd}, ${using})`;
}

function listOf(policies: readonly PolicyRow[]): string {
  return policies.map(describe).join(', ');
}

/** What to run as instead, for this table's owner and FORCE setting. */
function remedy(state: RowSecurityState, table: string): string {
  const off =
    `or turn row-level security off for the run (ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY, ` +
    'and ENABLE it again after)';
  if (state.forced) {
    return (
      `Run it as a role with BYPASSRLS (or a superuser): the table forces row-level security on its owner ` +
      `${JSON.stringify(state.owner)} too (ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY lets the owner ` +
      `through), ${off}.`
    );
  }
  return (
    `Run it as the table's owner ${JSON.stringify(state.owner)} (row-level security does not apply to the ` +
    `owner unless forced), as a role with BYPASSRLS, ${off}.`
  );
}

/**
 * Why the login may not see (or, `writing`, update) every row of `table`;
 * null when it may. `display`: the server for people; `table`: schema.table.
 */
export function rowSecurityError(
  state: RowSecurityState,
  policies: readonly PolicyRow[],
  context: { readonly display: string; readonly table: string; readonly writing: boolean },
): EngineError | null {
  if (!rowSecurityApplies(state)) return null;
  const { display, table, writing } = context;
  const subject =
    `Row-level security is on for the table ${table} in ${display} and applies to the login ` +
    `${JSON.stringify(state.login)}`;
  const consequence =
    'records hidden from it would be missing from every count, check and backup, and a rotation would leave ' +
    'them under the old password while reporting every record in scope visited. Nothing was changed.';
  const reading = limitingPolicies(policies, 'r');
  if (reading === null) {
    return new EngineError(
      'SERVER_PERMISSION',
      `${subject}, but no policy on the table lets it read (${
        policies.length > 0 ? `policies: ${listOf(policies)}` : 'the table has no policies'
      }): it sees no records at all, and ${consequence} ${remedy(state, table)}`,
    );
  }
  if (reading.length > 0) {
    return new EngineError(
      'SERVER_PERMISSION',
      `${subject}: the polic${reading.length === 1 ? 'y' : 'ies'} ${listOf(reading)} may hide records from ` +
        `it, and ${consequence} ${remedy(state, table)}`,
    );
  }
  if (!writing) return null;
  const updating = limitingPolicies(policies, 'w');
  const narrower = updating ?? policies.filter((p) => p.applies);
  if (updating !== null && updating.length === 0) return null;
  return new EngineError(
    'SERVER_PERMISSION',
    `${subject}: it may read every record, but ${
      updating === null
        ? 'no UPDATE policy lets it change any'
        : `the UPDATE polic${narrower.length === 1 ? 'y' : 'ies'} ${listOf(narrower)} ${
            narrower.length === 1 ? 'is' : 'are'
          } narrower than what it may read`
    }: records it reads but may not update would keep their old-password values (their writes would match ` +
      `no row), not because another program wrote them. Nothing was changed. ${remedy(state, table)}`,
  );
}

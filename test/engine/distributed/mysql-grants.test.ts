/**
 * Reading MariaDB's `SHOW GRANTS` lines (as a 10.11 server prints them) for
 * the CREATE rights a login's roles give it; the server itself is asked in
 * ledger.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { objectGrantOf } from '../../../src/engine/distributed/ledger/mysql-grants.js';

describe('SHOW GRANTS lines', () => {
  it('reads privileges and the database of a grant on db.*', () => {
    expect(
      objectGrantOf(
        'GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON `vsa_db_b578`.* TO `vsa_role`',
      ),
    ).toEqual({
      privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP'],
      database: 'vsa_db_b578',
      allTables: true,
    });
  });

  it('tells *.*, one table, doubled backticks and column lists apart', () => {
    expect(
      objectGrantOf("GRANT ALL PRIVILEGES ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*62'"),
    ).toEqual({ privileges: ['ALL PRIVILEGES'], database: null, allTables: true });
    expect(objectGrantOf('GRANT CREATE ON `db`.`vault` TO `u`@`%`')).toMatchObject({
      allTables: false,
    });
    expect(objectGrantOf('GRANT CREATE ON `we``ird`.* TO `u`@`%`')).toMatchObject({
      database: 'we`ird',
    });
    expect(objectGrantOf('GRANT SELECT (a, b), INSERT (c) ON `db`.`t` TO `u`@`%`')).toMatchObject({
      privileges: ['SELECT', 'INSERT'],
    });
  });

  it('reads a role grant as no grant on a database', () => {
    expect(objectGrantOf('GRANT `vsa_role` TO `vsa_reader`@`%`')).toBeNull();
    expect(objectGrantOf('SET DEFAULT ROLE `vsa_role` FOR `vsa_reader`@`%`')).toBeNull();
  });
});

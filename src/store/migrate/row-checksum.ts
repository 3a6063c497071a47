/**
 * An order-independent checksum of a table's rows: the sum (mod 2^64) of a hash of each row, with
 * values written the same way whichever database they came from. The two sides page in their own
 * collation orders (SQLite compares bytes, PostgreSQL its locale), so the order cannot count.
 */
import { createHash } from 'node:crypto';

const MOD = 1n << 64n;

export class RowChecksum {
  private sum = 0n;
  rows = 0;

  add(row: Record<string, unknown>, columns: readonly string[]): void {
    const hash = createHash('sha256');
    for (const column of columns) {
      const value = row[column];
      // A tag per kind: null, a number and the text of that number must all differ.
      hash.update(value === null || value === undefined ? '\u0000n' : typeof value === 'number' || typeof value === 'bigint' ? `\u0000i${String(value)}` : `\u0000s${String(value)}`);
    }
    this.sum = (this.sum + hash.digest().readBigUInt64BE(0)) % MOD;
    this.rows += 1;
  }

  get value(): string {
    return this.sum.toString(16).padStart(16, '0');
  }
}

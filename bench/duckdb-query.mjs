// duckdb-query.mjs - runs one SQL statement in an in-memory DuckDB and
// prints its result as CSV (RFC 4180, quoted only where needed).
// Usage: node duckdb-query.mjs "SQL" [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const [sql, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', threads ? { threads } : {});
const result = await (await db.connect()).runAndReadAll(sql);

function csvField(value) {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}
const lines = [result.columnNames().map(csvField).join(',')];
for (const row of result.getRows())
  lines.push(row.map(csvField).join(','));
process.stdout.write(lines.join('\n') + '\n');

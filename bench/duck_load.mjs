// Loads one CSV into a fresh on-disk DuckDB table, as shared/bench/duck.mjs does for its tables:
//   node duck_load.mjs <db> <table> <csv>   (run from a folder whose node_modules has it)
import { DuckDBInstance } from '@duckdb/node-api';

const [db, table, csv] = process.argv.slice(2);
const inst = await DuckDBInstance.create(db);
const con = await inst.connect();
await con.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${csv}', header = true)`);
await con.run('CHECKPOINT');
con.closeSync();
inst.closeSync();

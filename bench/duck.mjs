// The DuckDB peer of bench/sql_bench.sh and bench/import_bench.sh, through @duckdb/node-api.
// Node resolves the package next to this file, so the scripts run a copy of it placed in the
// folder where `npm ci` installed bench/package-lock.json (bench/out/node).
//   node duck.mjs load DB SCHEMA_SQL DATA_DIR TABLE...
//       creates each TABLE in a new on-disk DB (replacing one there) from its CREATE TABLE line in SCHEMA_SQL, fills
//       it with COPY from DATA_DIR/TABLE.csv and checkpoints
//   node duck.mjs query DB QUERIES_SQL OUT_DIR THREADS|default RUNS
//       runs every query RUNS times in one read-only session; writes OUT_DIR/times.tsv
//       ("qid<TAB>run<TAB>ms"), OUT_DIR/engine.txt and the last run's answer as
//       OUT_DIR/raw/<qid>.csv. A query's time covers running it and materialising every row
//       in JavaScript values (runAndReadAll + getRows), as a client would.
import { DuckDBInstance, version } from '@duckdb/node-api';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

function csvCell(value) {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

// queries.sql: "-- <id>: ..." names the next non-comment line, which is one statement.
function readQueries(path) {
  const queries = [];
  let id = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const name = /^--\s*(\w+):/.exec(line);
    if (name) id = name[1];
    else if (line.trim() !== '' && !line.startsWith('--')) {
      queries.push({ id, sql: line.trim().replace(/;$/, '') });
    }
  }
  return queries;
}

async function load(db, schemaPath, dataDir, tables) {
  const schema = readFileSync(schemaPath, 'utf8').split('\n');
  for (const file of [db, `${db}.wal`]) rmSync(file, { force: true });
  const instance = await DuckDBInstance.create(db);
  const con = await instance.connect();
  for (const table of tables) {
    const create = schema.find((line) => line.startsWith(`CREATE TABLE ${table} `));
    if (!create) throw new Error(`no CREATE TABLE ${table} in ${schemaPath}`);
    await con.run(create);
    await con.run(`COPY ${table} FROM '${dataDir}/${table}.csv' (HEADER, DELIMITER ',', QUOTE '"', ESCAPE '"')`);
  }
  await con.run('CHECKPOINT');
  con.closeSync();
  instance.closeSync();
}

async function query(db, queriesPath, outDir, threads, runs) {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  if (threads !== 'default') await con.run(`SET threads = ${Number(threads)}`);
  const used = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
  mkdirSync(`${outDir}/raw`, { recursive: true });
  writeFileSync(`${outDir}/engine.txt`, `duckdb ${version()} threads=${used}\n`);
  const times = [];
  for (const { id, sql } of readQueries(queriesPath)) {
    let reader;
    try {
      for (let run = 1; run <= runs; run++) {
        const start = performance.now();
        reader = await con.runAndReadAll(sql);
        reader.getRows();
        times.push(`${id}\t${run}\t${(performance.now() - start).toFixed(2)}`);
      }
    } catch (e) {
      console.error(`duckdb ${id}: ${e.message}`);  // no answer file: the report flags it
      continue;
    }
    const lines = [reader.columnNames(), ...reader.getRows()].map((row) => row.map(csvCell).join(','));
    writeFileSync(`${outDir}/raw/${id}.csv`, lines.join('\n') + '\n');
  }
  writeFileSync(`${outDir}/times.tsv`, times.join('\n') + '\n');
  con.closeSync();
  instance.closeSync();
}

const [command, ...args] = process.argv.slice(2);
if (command === 'load' && args.length >= 4) {
  await load(args[0], args[1], args[2], args.slice(3));
} else if (command === 'query' && args.length === 5) {
  await query(args[0], args[1], args[2], args[3], Number(args[4]));
} else {
  console.error('usage: node duck.mjs load DB SCHEMA_SQL DATA_DIR TABLE... | query DB QUERIES_SQL OUT_DIR THREADS RUNS');
  process.exit(2);
}

-- The benchmark's tables for DuckDB and SQLite, with type names both accept (SQLite reads them
-- as INTEGER / TEXT / REAL / NUMERIC affinity). ts, hire_date and signup_date stay ISO-8601 text
-- in every engine, so time ranges compare strings the same way everywhere. users.user_id is
-- declared the key, as its owner would: SQLite then finds a user by its rowid instead of building
-- an automatic index in every join query. One statement per line: bench/lib.sh picks a table's
-- line by its name.
CREATE TABLE events (event_id BIGINT, ts VARCHAR, user_id INTEGER, country VARCHAR, device VARCHAR, event_type VARCHAR, amount DOUBLE, latency_ms INTEGER, is_error BOOLEAN, product_id INTEGER);
CREATE TABLE employees (id INTEGER, name VARCHAR, department VARCHAR, salary INTEGER, hire_date VARCHAR, city VARCHAR, age INTEGER, is_remote BOOLEAN);
CREATE TABLE products (id INTEGER, name VARCHAR, category VARCHAR, price DOUBLE, stock INTEGER, rating DOUBLE, supplier VARCHAR);
CREATE TABLE tricky (id INTEGER, label VARCHAR, note VARCHAR, qty INTEGER, price DOUBLE);
CREATE TABLE users (user_id INTEGER PRIMARY KEY, country VARCHAR, signup_date VARCHAR, plan VARCHAR, age INTEGER);

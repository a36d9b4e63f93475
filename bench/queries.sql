-- The SQL benchmark's queries: a line "-- <id>: <what it exercises>", then the statement on one
-- line. The ids and texts stay fixed so that figures of different runs compare.
-- Written so that DuckDB, SQLite and p2plake must agree: every output column has a lowercase
-- alias; ORDER BY fixes the row order completely; non-integer outputs are ROUNDed; no integer
-- is divided by an integer (SQLite truncates, DuckDB does not); booleans appear only in WHERE
-- (SQLite prints 1/0); LIKE patterns match the data's case (SQLite's LIKE ignores case);
-- timestamps are ISO-8601 text, so time ranges are string comparisons.

-- q01: full-scan count
SELECT COUNT(*) AS n FROM events;
-- q02: whole-table aggregates (COUNT col skips NULL amounts, MIN/MAX on ISO strings)
SELECT COUNT(*) AS n, COUNT(amount) AS n_amount, COUNT(DISTINCT country) AS countries, MIN(ts) AS first_ts, MAX(ts) AS last_ts, ROUND(SUM(amount), 2) AS total_amount, MIN(latency_ms) AS min_lat, MAX(latency_ms) AS max_lat FROM events;
-- q03: selective filter (~0.001% of rows), rows returned
SELECT event_id, ts, user_id, device, amount, latency_ms FROM events WHERE event_type = 'refund' AND country = 'DE' AND is_error = true ORDER BY event_id;
-- q04: high-cardinality GROUP BY user_id (~845k groups), top 10
SELECT user_id, COUNT(*) AS n, ROUND(SUM(amount), 2) AS total_amount, MAX(ts) AS last_seen FROM events GROUP BY user_id ORDER BY total_amount DESC, user_id ASC LIMIT 10;
-- q05: low-cardinality GROUP BY country (50 groups), several aggregates
SELECT country, COUNT(*) AS n, COUNT(amount) AS n_amount, ROUND(SUM(amount), 2) AS total_amount, ROUND(AVG(amount), 2) AS avg_amount, MIN(latency_ms) AS min_lat, MAX(latency_ms) AS max_lat, ROUND(AVG(latency_ms), 2) AS avg_lat FROM events GROUP BY country ORDER BY country;
-- q06: top-N rows by amount
SELECT event_id, ts, user_id, country, event_type, amount FROM events WHERE amount IS NOT NULL ORDER BY amount DESC, event_id ASC LIMIT 10;
-- q07: time range (March 2025, ~8.5% of rows) as ISO-8601 string comparison
SELECT event_type, COUNT(*) AS n, COUNT(DISTINCT user_id) AS users, ROUND(SUM(amount), 2) AS revenue FROM events WHERE ts >= '2025-03-01' AND ts < '2025-04-01' GROUP BY event_type ORDER BY n DESC, event_type;
-- q08: two-key GROUP BY on errors with HAVING
SELECT device, event_type, COUNT(*) AS errors, ROUND(AVG(latency_ms), 2) AS avg_lat FROM events WHERE is_error = true GROUP BY device, event_type HAVING COUNT(*) >= 500 ORDER BY errors DESC, device, event_type;
-- q09: three-key GROUP BY with IN lists
SELECT country, device, event_type, COUNT(*) AS n, ROUND(SUM(amount), 2) AS revenue, MAX(amount) AS max_amount FROM events WHERE country IN ('DE', 'FR', 'ES', 'IT') AND event_type IN ('checkout', 'purchase', 'refund') GROUP BY country, device, event_type ORDER BY country, device, event_type;
-- q10: COUNT(DISTINCT user_id) per device
SELECT device, COUNT(DISTINCT user_id) AS users, COUNT(DISTINCT country) AS countries, COUNT(*) AS n FROM events GROUP BY device ORDER BY users DESC, device;
-- q11: LIKE prefix, OR, NOT IN, BETWEEN
SELECT country, COUNT(*) AS n, MIN(latency_ms) AS min_lat, MAX(latency_ms) AS max_lat, MIN(amount) AS min_amount FROM events WHERE (country LIKE 'C%' OR country LIKE 'S%') AND NOT event_type IN ('view', 'click') AND latency_ms BETWEEN 100 AND 500 GROUP BY country ORDER BY country;
-- q12: arithmetic expressions inside and outside aggregates
SELECT event_type, COUNT(*) AS n, SUM(latency_ms * 2 + 1) AS lat_expr, ROUND(SUM(amount * 2 - 1), 2) AS amount_expr, ROUND(AVG(latency_ms / 1000.0), 4) AS avg_lat_s, MAX(amount - latency_ms / 100.0) AS max_diff FROM events WHERE amount IS NOT NULL OR latency_ms <> 20 GROUP BY event_type ORDER BY event_type;
-- q13: DISTINCT over a selective filter
SELECT DISTINCT device, event_type FROM events WHERE latency_ms > 3400 AND NOT (device = 'web') ORDER BY device DESC, event_type ASC;
-- e01: employees per department
SELECT department, COUNT(*) AS n, ROUND(AVG(salary), 2) AS avg_salary, MIN(salary) AS min_salary, MAX(salary) AS max_salary, MIN(hire_date) AS first_hire FROM employees GROUP BY department ORDER BY department;
-- e02: remote employees aged 30-50 by city and department, top 15
SELECT city, department, COUNT(*) AS n, MAX(salary) AS max_salary FROM employees WHERE is_remote = true AND age BETWEEN 30 AND 50 AND hire_date < '2020-01-01' GROUP BY city, department HAVING COUNT(*) >= 3 ORDER BY n DESC, city, department LIMIT 15;
-- t01: CSV edge cases read back verbatim (quotes, commas, newlines, unicode, empty = NULL)
SELECT id, label, note, qty, price FROM tricky ORDER BY id;
-- t02: NULL handling of empty CSV fields
SELECT COUNT(*) AS n, COUNT(label) AS labels, COUNT(qty) AS qtys, COUNT(price) AS prices, SUM(qty) AS sum_qty, ROUND(SUM(price), 2) AS sum_price FROM tricky;

-- The join benchmark's queries (bench/join_bench.sh), in bench/queries.sql's layout and under
-- its rules (DuckDB, SQLite and p2plake must agree: lowercase aliases, a complete ORDER BY,
-- non-integer outputs ROUNDed, no integer divided by an integer, dates as ISO-8601 text).
-- Tables: events (5M rows by default), products (3,000; events.product_id references
-- products.id, NULL for login/logout events) and users (1M; events.user_id references
-- users.user_id). The ids and texts stay fixed so that figures of different runs compare.

-- j01: events JOIN products with a filter on events, GROUP BY category (10 groups)
SELECT p.category AS category, COUNT(*) AS n, ROUND(SUM(e.amount), 2) AS revenue, ROUND(AVG(p.price), 2) AS avg_price FROM events e JOIN products p ON e.product_id = p.id WHERE e.event_type = 'purchase' GROUP BY p.category ORDER BY revenue DESC, category;
-- j02: events JOIN users (1M-row build side), top 10 users' countries by revenue of paying plans
SELECT u.country AS country, COUNT(*) AS n, COUNT(DISTINCT e.user_id) AS buyers, ROUND(SUM(e.amount), 2) AS revenue FROM events e JOIN users u ON e.user_id = u.user_id WHERE u.plan <> 'free' AND e.amount IS NOT NULL GROUP BY u.country ORDER BY revenue DESC, country LIMIT 10;
-- j03: 3-way join events JOIN users JOIN products, GROUP BY plan and category
SELECT u.plan AS plan, p.category AS category, COUNT(*) AS n, ROUND(SUM(e.amount), 2) AS revenue FROM events e JOIN users u ON e.user_id = u.user_id JOIN products p ON e.product_id = p.id WHERE e.event_type IN ('checkout', 'purchase') AND u.signup_date >= '2024-01-01' GROUP BY u.plan, p.category ORDER BY plan, category;
-- j04: correlated EXISTS (semi join): users who signed up in 2025 and had a refund, per plan
SELECT u.plan AS plan, COUNT(*) AS users, ROUND(AVG(u.age), 2) AS avg_age FROM users u WHERE u.signup_date >= '2025-01-01' AND EXISTS (SELECT 1 FROM events e WHERE e.user_id = u.user_id AND e.event_type = 'refund') GROUP BY u.plan ORDER BY plan;

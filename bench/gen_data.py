#!/usr/bin/env python3
"""Writes the benchmark tables as CSV: deterministic for a seed, streamed (memory stays small).

usage: gen_data.py [--rows N] [--seed S] [--employees N] [--products N] [--users N] --out DIR

DIR gets:
  events.csv     event_id,ts,user_id,country,device,event_type,amount,latency_ms,is_error,
                 product_id
                 N rows (default 5,000,000; ~344 MB), a log over 2025: ts grows with event_id
                 plus up to 10 minutes of jitter; user_id follows a power law over 1M users
                 (~845k distinct in 5M rows); 50 countries weighted 1/rank^1.1 (US ~26%);
                 5 devices and 10 event types with fixed shares; amount in cents-exact
                 decimals, log-normal around 20.00, empty (NULL) for 2% of rows; latency_ms
                 cubic-skewed over 15..1515, plus 2000 for half of the errors; is_error
                 true/false (~3%, rate depending on the device); product_id references
                 products.id, power law over the products (product 1 the most frequent),
                 empty (NULL) for login and logout events. product_id was added last and draws
                 from a generator of its own, so the other columns are what they were before it.
  employees.csv  id,name,department,salary,hire_date,city,age,is_remote  (5,000 rows)
  products.csv   id,name,category,price,stock,rating,supplier            (3,000 rows)
  users.csv      user_id,country,signup_date,plan,age  (1,000,000 rows: every user_id events
                 can name): country weighted as in events, signup_date uniform over
                 2019-01-01..2025-12-31, plan free/basic/pro/enterprise (70/18/10/2%), age
                 18..80 skewed young.
  tricky.csv     10 rows that exercise CSV quoting (CRLF line ends, quoted commas and
                 quotes, newlines in fields, empty and quoted-empty fields, unicode, spaces)
  manifest.tsv   a first line naming the parameters, then "<file> <rows> <bytes>" per file

Python 3 standard library only. Every table draws from its own random.Random, seeded from
--seed and the table, so the sizes of one table do not change the contents of another.
"""
import argparse
import math
import os
import random
import time

N_USERS = 1_000_000
SIGNUP_START = 1546300800        # 2019-01-01T00:00:00Z
SIGNUP_DAYS = 2557               # 2019-01-01 .. 2025-12-31
YEAR_START = 1735689600          # 2025-01-01T00:00:00Z
YEAR_SECONDS = 365 * 86400
JITTER_SECONDS = 600
NULL_AMOUNT_SHARE = 0.02

# Most frequent first; the weight of rank r is 1 / r^1.1.
COUNTRIES = ("US GB DE FR IN BR CA JP ES IT MX NL AU PL SE TR KR ID CH BE AR CO ZA NG EG PH VN "
             "TH MY SG IE AT DK NO FI PT CZ RO HU GR IL AE SA CL PE NZ UA KE PK BD").split()
# (value, weight, error rate): the error rate belongs to the device.
DEVICES = (("ios", 38, 0.02), ("android", 34, 0.035), ("web", 20, 0.03), ("tablet", 6, 0.04),
           ("smarttv", 2, 0.08))
EVENT_TYPES = (("view", 40), ("click", 22), ("search", 12), ("add_to_cart", 8), ("login", 6),
               ("logout", 4), ("remove_from_cart", 3), ("checkout", 2.5), ("purchase", 2),
               ("refund", 0.5))
# Events of these types concern no product: their product_id is NULL.
NO_PRODUCT_TYPES = ("login", "logout")
PLANS = (("free", 70), ("basic", 18), ("pro", 10), ("enterprise", 2))

# (department, weight, base salary)
DEPARTMENTS = (("Engineering", 30, 120000), ("Sales", 20, 80000), ("Support", 14, 55000),
               ("Marketing", 10, 85000), ("Operations", 9, 70000), ("Finance", 7, 95000),
               ("HR", 5, 65000), ("Legal", 5, 130000))
CITIES = ("Berlin London Paris Madrid Amsterdam Warsaw Stockholm Zurich Vienna Dublin Lisbon "
          "Prague Munich Milan Copenhagen Oslo Helsinki Brussels Budapest Athens").split()
GIVEN = ("Ada Bruno Chiara Dmitri Elif Farid Gaia Hanna Ivo Jana Kofi Lena Marek Nina Oskar "
         "Pia Quentin Rana Stefan Tuva Ugo Viola Wanda Yara Zeno").split()
FAMILY = ("Schmidt Fernández Bianchi Dvořák Lindqvist Nowak Lefèvre Santos Kovács Ionescu "
          "O'Neill Nielsen Moretti Fischer Laurent Horvat Korhonen Georgiou Meyer Janssen").split()
CATEGORIES = (("electronics", 20), ("books", 18), ("home", 15), ("clothing", 15), ("toys", 10),
              ("sports", 8), ("garden", 6), ("beauty", 5), ("food", 2), ("auto", 1))
PRODUCT_WORDS = ("Lite Prime Max Nano Flex Eco Duo Solo Terra Aero".split(),
                 "Kettle Lamp Desk Headset Novel Jacket Puzzle Racket Shovel Serum Snack Wiper"
                 .split())
SUPPLIERS = ("Northwind", "Contoso, Ltd.", "Fabrikam", "Tailspin Toys", "Wide World Importers",
             "Adventure Works", "Litware & Sons", "Proseware", "Woodgrove", "Lucerne Publishing")

# Cells are written as given; a cell that needs quoting is already quoted here. Row 10's label
# is a quoted empty field, which a CSV writer would leave unquoted.
TRICKY = [
    "id,label,note,qty,price",
    "1,plain,nothing special,1,1.25",
    '2,"one, two","x,y,z",2,2.50',
    '3,"say ""cheese""","he wrote ""ok"", then left",3,',
    '4,"two\nlines","a\nb\nc",4,4.75',
    '5,,label and qty empty,,5.05',
    "6,unicode,Grüße – ñandú 東京 🚀,6,6.00",
    "7,  padded  ,ends with a space ,7,7.30",
    "8,semi;colon|bar,tab\tinside,-8,-8.45",
    '9,"""","""""",9,0.02',
    '10,"",quoted empty label,10,10.00',
]


def cumulative(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def write_events(path, rows, rng, product_rng, products, batch=50_000):
    dates = [time.strftime("%Y-%m-%dT", time.gmtime(YEAR_START + d * 86400)) for d in range(365)]
    clock = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
    country_cw = cumulative(1 / r ** 1.1 for r in range(1, len(COUNTRIES) + 1))
    device_names = [d[0] for d in DEVICES]
    device_cw = cumulative(d[1] for d in DEVICES)
    error_rate = {d[0]: d[2] for d in DEVICES}
    type_names = [t[0] for t in EVENT_TYPES]
    type_cw = cumulative(t[1] for t in EVENT_TYPES)
    # Users: density proportional to x^-0.8 on [1, N_USERS], drawn by inverting its CDF
    # x = (1 + u * (N^0.2 - 1))^5; then x is mapped to an id by multiplying with a unit
    # modulo N_USERS, so that the busiest users are spread over the id range.
    span = N_USERS ** 0.2 - 1
    spread = 7 ** 7  # coprime to 10^6: a bijection of 0..N_USERS-1
    product_span = max(products, 1) ** 0.2 - 1
    seconds_per_row = YEAR_SECONDS / max(rows, 1)
    rand, gauss = rng.random, rng.gauss
    product_rand = product_rng.random
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("event_id,ts,user_id,country,device,event_type,amount,latency_ms,is_error,"
                "product_id\n")
        for first in range(0, rows, batch):
            k = min(batch, rows - first)
            countries = rng.choices(COUNTRIES, cum_weights=country_cw, k=k)
            devices = rng.choices(device_names, cum_weights=device_cw, k=k)
            types = rng.choices(type_names, cum_weights=type_cw, k=k)
            out = []
            for j in range(k):
                event_id = first + j + 1
                sec = min(YEAR_SECONDS - 1,
                          int((event_id - 1) * seconds_per_row + rand() * JITTER_SECONDS))
                x = min(N_USERS, int((1 + rand() * span) ** 5))
                user = (x - 1) * spread % N_USERS + 1
                if rand() < NULL_AMOUNT_SHARE:
                    amount = ""
                else:  # cents, log-normal: median e^7.6 ~ 2000 cents, long right tail
                    cents = int(math.exp(gauss(7.6, 1.1)))
                    amount = "%d.%02d" % divmod(cents, 100)
                device = devices[j]
                error = rand() < error_rate[device]
                latency = int(15 + rand() ** 3 * 1500)
                if error and rand() < 0.5:  # half the errors are timeouts
                    latency += 2000
                # Products: density ~ x^-0.8 as for users, product 1 the most frequent.
                product = min(products, int((1 + product_rand() * product_span) ** 5))
                if types[j] in NO_PRODUCT_TYPES:
                    product = ""
                out.append(f"{event_id},{dates[sec // 86400]}{clock[sec % 86400]},{user},"
                           f"{countries[j]},{device},{types[j]},{amount},{latency},"
                           f"{'true' if error else 'false'},{product}\n")
            f.write("".join(out))


def write_employees(path, rows, rng):
    names = [d[0] for d in DEPARTMENTS]
    dept_cw = cumulative(d[1] for d in DEPARTMENTS)
    base = {d[0]: d[2] for d in DEPARTMENTS}
    city_cw = cumulative(1 / r ** 0.9 for r in range(1, len(CITIES) + 1))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("id,name,department,salary,hire_date,city,age,is_remote\n")
        for i in range(1, rows + 1):
            dept = rng.choices(names, cum_weights=dept_cw)[0]
            tenure = rng.randint(0, 20)
            salary = int(base[dept] * rng.lognormvariate(0, 0.25) * (1 + 0.02 * tenure))
            hired = "%04d-%02d-%02d" % (2025 - tenure, rng.randint(1, 12), rng.randint(1, 28))
            age = min(65, 22 + tenure + int(rng.expovariate(1 / 8)))
            city = rng.choices(CITIES, cum_weights=city_cw)[0]
            remote = "true" if rng.random() < 0.3 else "false"
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            f.write(f"{i},{name},{dept},{salary},{hired},{city},{age},{remote}\n")


def write_products(path, rows, rng):
    names = [c[0] for c in CATEGORIES]
    cat_cw = cumulative(c[1] for c in CATEGORIES)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("id,name,category,price,stock,rating,supplier\n")
        for i in range(1, rows + 1):
            cents = int(100 * math.exp(rng.gauss(3, 1.1))) + 99
            supplier = rng.choice(SUPPLIERS)
            if "," in supplier:
                supplier = f'"{supplier}"'
            f.write(f"{i},{rng.choice(PRODUCT_WORDS[0])} {rng.choice(PRODUCT_WORDS[1])} {i},"
                    f"{rng.choices(names, cum_weights=cat_cw)[0]},{cents // 100}.{cents % 100:02d},"
                    f"{int(rng.expovariate(1 / 200))},{rng.uniform(1, 5):.1f},{supplier}\n")


def write_users(path, rows, rng, batch=50_000):
    dates = [time.strftime("%Y-%m-%d", time.gmtime(SIGNUP_START + d * 86400))
             for d in range(SIGNUP_DAYS)]
    country_cw = cumulative(1 / r ** 1.1 for r in range(1, len(COUNTRIES) + 1))
    plan_names = [p[0] for p in PLANS]
    plan_cw = cumulative(p[1] for p in PLANS)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("user_id,country,signup_date,plan,age\n")
        for first in range(0, rows, batch):
            k = min(batch, rows - first)
            countries = rng.choices(COUNTRIES, cum_weights=country_cw, k=k)
            plans = rng.choices(plan_names, cum_weights=plan_cw, k=k)
            out = []
            for j in range(k):
                age = 18 + int(rng.random() ** 2 * 63)
                out.append(f"{first + j + 1},{countries[j]},{dates[rng.randrange(SIGNUP_DAYS)]},"
                           f"{plans[j]},{age}\n")
            f.write("".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=5_000_000, help="events rows")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--employees", type=int, default=5000)
    ap.add_argument("--products", type=int, default=3000)
    ap.add_argument("--users", type=int, default=N_USERS,
                    help="users rows (events name user ids up to 1,000,000)")
    ap.add_argument("--out", required=True, help="output folder")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    counts = {"employees": a.employees, "products": a.products, "tricky": len(TRICKY) - 1,
              "events": a.rows, "users": a.users}
    # One generator per table, seeded by the seed and the table's name, and one for the events'
    # product_id, which was added after the other columns and must not change them.
    rng = {t: random.Random(f"{a.seed}/{t}") for t in counts}
    rng["events.product_id"] = random.Random(f"{a.seed}/events.product_id")
    write_employees(os.path.join(a.out, "employees.csv"), a.employees, rng["employees"])
    write_products(os.path.join(a.out, "products.csv"), a.products, rng["products"])
    with open(os.path.join(a.out, "tricky.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("".join(line + "\r\n" for line in TRICKY))
    write_events(os.path.join(a.out, "events.csv"), a.rows, rng["events"],
                 rng["events.product_id"], a.products)
    write_users(os.path.join(a.out, "users.csv"), a.users, rng["users"])
    with open(os.path.join(a.out, "manifest.tsv"), "w") as f:
        f.write(f"# rows={a.rows} employees={a.employees} products={a.products} "
                f"users={a.users} seed={a.seed}\n")
        for t, n in counts.items():
            f.write(f"{t}.csv\t{n}\t{os.path.getsize(os.path.join(a.out, t + '.csv'))}\n")
    mb = os.path.getsize(os.path.join(a.out, "events.csv")) / 1e6
    print(f"gen_data: {a.rows} events ({mb:.1f} MB) and the small tables in "
          f"{time.time() - t0:.1f} s -> {a.out}")


if __name__ == "__main__":
    main()

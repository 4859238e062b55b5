"""A tiny sample database (a shop: customers, products, orders, order items) for demos and tests.

python -m toolhooks_tools_sqlite.sample shop.db
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["SCHEMA", "create_sample_db"]

SCHEMA = """
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    country     TEXT NOT NULL,
    created_at  TEXT NOT NULL            -- ISO 8601 date
);
CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    category     TEXT NOT NULL,
    price_cents  INTEGER NOT NULL CHECK (price_cents >= 0),
    stock        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE orders (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    ordered_at   TEXT NOT NULL,          -- ISO 8601 date
    status       TEXT NOT NULL CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled'))
);
CREATE TABLE order_items (
    order_id     INTEGER NOT NULL REFERENCES orders(id),
    product_id   INTEGER NOT NULL REFERENCES products(id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX orders_by_customer ON orders(customer_id);
CREATE VIEW order_totals AS
    SELECT o.id AS order_id, o.customer_id, o.ordered_at, o.status,
           SUM(i.quantity * i.unit_price_cents) AS total_cents
    FROM orders o JOIN order_items i ON i.order_id = o.id
    GROUP BY o.id;
"""

_CUSTOMERS = [
    (1, "Ada Lovelace", "ada@example.com", "GB", "2024-01-15"),
    (2, "Grace Hopper", "grace@example.com", "US", "2024-02-03"),
    (3, "Alan Turing", "alan@example.com", "GB", "2024-02-20"),
    (4, "Katherine Johnson", "katherine@example.com", "US", "2024-03-11"),
    (5, "Edsger Dijkstra", "edsger@example.com", "NL", "2024-04-01"),
    (6, "Margaret Hamilton", "margaret@example.com", "US", "2024-05-22"),
]

_PRODUCTS = [
    (1, "Mechanical keyboard", "peripherals", 8900, 25),
    (2, "Wireless mouse", "peripherals", 2900, 120),
    (3, "27-inch monitor", "displays", 27900, 8),
    (4, "USB-C cable", "accessories", 990, 500),
    (5, "Laptop stand", "accessories", 3900, 40),
    (6, "Noise-cancelling headphones", "audio", 19900, 15),
    (7, "Webcam", "peripherals", 5900, 0),
]

_ORDERS = [
    (1, 1, "2024-06-01", "delivered"),
    (2, 2, "2024-06-03", "delivered"),
    (3, 1, "2024-06-10", "shipped"),
    (4, 3, "2024-06-12", "cancelled"),
    (5, 4, "2024-06-15", "pending"),
    (6, 2, "2024-06-18", "shipped"),
    (7, 5, "2024-06-20", "delivered"),
    (8, 6, "2024-06-21", "pending"),
]

_ITEMS = [
    (1, 1, 1, 8900),
    (1, 4, 2, 990),
    (2, 3, 2, 27900),
    (3, 2, 1, 2900),
    (3, 5, 1, 3900),
    (4, 6, 1, 19900),
    (5, 1, 1, 8900),
    (5, 2, 1, 2900),
    (5, 4, 3, 990),
    (6, 6, 1, 19900),
    (7, 3, 1, 27900),
    (7, 5, 2, 3900),
    (8, 4, 1, 990),
]


def create_sample_db(path: str | Path, *, overwrite: bool = False) -> Path:
    """Create the sample shop database at *path* and return its path.

    :param overwrite: replace an existing file (else ``FileExistsError``).
    """
    import sqlite3

    target = Path(path)
    if target.exists():
        if not overwrite:
            raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
        target.unlink()
    conn = sqlite3.connect(target)
    try:
        with conn:
            conn.executescript(SCHEMA)
            conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", _CUSTOMERS)
            conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)", _PRODUCTS)
            conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", _ORDERS)
            conn.executemany("INSERT INTO order_items VALUES (?, ?, ?, ?)", _ITEMS)
    finally:
        conn.close()
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m toolhooks_tools_sqlite.sample PATH\n")
        return 2
    try:
        created = create_sample_db(args[0])
    except FileExistsError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.write(f"created {created}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Measures InventoryService's allocation on the running system.

    allocation_bench.py --orders N --skus S --inventory URL --token T --pg URL --amqp URL

1. Loads a bench catalog: S SKUs, 20 vendors, 4 hubs around Mumbai, ample stock.
2. "spread": N confirmed orders (one line, one unit, SKUs spread over S) are written to the
   orders schema as OrderService would have, then their `order.confirmed` events are
   published to RabbitMQ as fast as possible. Allocations per second are measured from
   InventoryService's own records (first to last allocation), and OrderService splits each
   allocated order as it would any other.
3. "hot": 200 orders at once for one SKU with 150 units: exactly 150 must be allocated,
   the SKU's stock must end at 0, no unit may be lost, and PostgreSQL must report no deadlock.
Prints one markdown table row per scenario on stdout; progress on stderr.
"""
import argparse
import json
import subprocess
import sys
import time
import urllib.request
import uuid

import pika

MUMBAI = (19.0760, 72.8777)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAqc", sql], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("psql failed: " + out.stderr.strip())
    return out.stdout.strip()


def put_catalog(base, token, document):
    request = urllib.request.Request(
        base + "/admin/catalog", data=json.dumps(document).encode(), method="PUT",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read().decode()


def catalog(run, skus):
    hubs = [{"id": f"B{run}-HUB-{i}", "name": f"Bench hub {i}", "latitude": MUMBAI[0] + 0.05 * i,
             "longitude": MUMBAI[1], "radiusKm": 12, "active": True} for i in range(4)]
    vendors = [{"id": f"B{run}-V{i:02d}", "name": f"Bench vendor {i}", "email": f"v{i}@bench.example",
                "latitude": MUMBAI[0] + 0.1 * (i % 5), "longitude": MUMBAI[1] + 0.1 * (i // 5)} for i in range(20)]
    products = [{"sku": sku(run, s), "title": f"Bench product {s}"} for s in range(skus)]
    offers, stock = [], []
    for s in range(skus):
        for k in range(3):
            vendor = vendors[(s + 7 * k) % 20]["id"]
            offers.append({"vendorId": vendor, "sku": sku(run, s), "margin": f"{5 + (s * 13 + k * 7) % 20}.{k}5"})
            stock.append({"sku": sku(run, s), "vendorId": vendor, "hubId": None, "quantity": 100000})
            if k == 0:
                stock.append({"sku": sku(run, s), "vendorId": vendor, "hubId": hubs[s % 4]["id"], "quantity": 100000})
    return {"hubs": hubs, "vendors": vendors, "products": products, "offers": offers, "stock": stock}


def sku(run, s):
    return f"B{run}-SKU-{s:05d}"


def create_orders(pg, run, shop, count, sku_sql):
    """Orders as OrderService stores them after orders/create; returns [(order id, shopify id, sku)]."""
    rows = psql(pg, f"""
        WITH customer AS (
            INSERT INTO orders.customers (shop_domain, email) VALUES ('{shop}', 'bench@example.com') RETURNING id
        ), created AS (
            INSERT INTO orders.orders (shop_domain, shopify_order_id, name, customer_id, status, currency, shopify_updated_at)
            SELECT '{shop}', 9000000000000000000 - {run}::bigint * 1000000 - i, '#B' || i, (SELECT id FROM customer),
                   'confirmed', 'INR', now()
            FROM generate_series(1, {count}) AS i
            RETURNING id, shopify_order_id
        ), payments AS (
            INSERT INTO orders.payments (order_id, method, status, total_product_amount, shipping_amount, discount_amount,
                                         total_amount, collected_amount, remaining_amount, currency)
            SELECT id, 'prepaid', 'paid', 100, 0, 0, 100, 100, 0, 'INR' FROM created
        ), items AS (
            INSERT INTO orders.order_items (order_id, shopify_line_item_id, sku, title, quantity, price)
            SELECT id, shopify_order_id, {sku_sql}, 'Bench product', 1, 100
            FROM created, LATERAL (SELECT 9000000000000000000 - {run}::bigint * 1000000 - shopify_order_id AS i) AS n
            RETURNING order_id, shopify_line_item_id, sku
        )
        SELECT order_id || ',' || shopify_line_item_id || ',' || sku FROM items ORDER BY order_id
        """)
    return [tuple(line.split(",")) for line in rows.splitlines()]


def publish(amqp, shop, orders, point_every=2):
    connection = pika.BlockingConnection(pika.URLParameters(amqp))
    channel = connection.channel()
    for index, (order_id, shopify_id, sku_name) in enumerate(orders):
        point = {"latitude": MUMBAI[0], "longitude": MUMBAI[1]} if index % point_every == 0 else None
        body = {
            "orderId": order_id, "shopifyOrderId": shopify_id, "shopDomain": shop, "currency": "INR",
            "customer": {"email": "bench@example.com"}, "shippingPoint": point, "billingPoint": None,
            "items": [{"lineItemId": shopify_id, "variantId": None, "sku": sku_name, "quantity": 1, "price": "100.00"}],
            "payment": {"method": "prepaid", "status": "paid", "totalAmount": "100.00", "collectedAmount": "100.00",
                        "remainingAmount": "0.00"},
        }
        channel.basic_publish(
            "marketplace.events", "order.confirmed", json.dumps(body).encode(),
            pika.BasicProperties(
                content_type="application/json", delivery_mode=2, message_id=str(uuid.uuid4()), type="order.confirmed",
                headers={"traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"}))
    connection.close()


def wait_for_allocations(pg, shop, orders, timeout=600):
    deadline = time.time() + timeout
    while True:
        done = int(psql(pg, f"SELECT count(*) FROM inventory.allocations WHERE shop_domain = '{shop}'"))
        if done >= len(orders) or time.time() > deadline:
            break
        time.sleep(0.5)
    stats = psql(pg, f"""
        SELECT count(*) FILTER (WHERE status = 'allocated') || ',' || count(*) FILTER (WHERE status = 'failed') || ',' ||
               coalesce(extract(epoch FROM max(created_at) - min(created_at)), 0)
        FROM inventory.allocations WHERE shop_domain = '{shop}'
        """)
    allocated, failed, seconds = stats.split(",")
    return int(allocated), int(failed), float(seconds)


def deadlocks(pg):
    return int(psql(pg, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--pg", required=True)
    parser.add_argument("--amqp", required=True)
    args = parser.parse_args()
    run = int(time.time()) % 1000000
    shop = f"bench-{run}.myshopify.com"

    log(f"allocation bench: catalog of {args.skus} SKUs")
    log("  ", put_catalog(args.inventory, args.token, catalog(run, args.skus)))

    log(f"allocation bench: {args.orders} single-line orders over {args.skus} SKUs")
    orders = create_orders(args.pg, run, shop, args.orders, f"'B{run}-SKU-' || lpad((i % {args.skus})::text, 5, '0')")
    before = deadlocks(args.pg)
    started = time.time()
    publish(args.amqp, shop, orders)
    published = time.time() - started
    allocated, failed, span = wait_for_allocations(args.pg, shop, orders)
    total = time.time() - started
    rate = allocated / span if span > 0 else 0
    log(f"  published in {published:.1f}s; {allocated} allocated, {failed} failed; first to last allocation {span:.1f}s")
    print(f"| {args.orders} single-line orders over {args.skus} SKUs | {allocated} allocated, {failed} failed "
          f"| {span:.1f} s | **{rate:,.0f}/s** | {total:.1f} s | {deadlocks(args.pg) - before} |")

    log("allocation bench: 200 concurrent orders for one SKU holding 150 units")
    hot = {"hubs": [], "vendors": [], "products": [{"sku": f"B{run}-HOT", "title": "Hot product"}],
           "offers": [{"vendorId": f"B{run}-V0{v}", "sku": f"B{run}-HOT", "margin": f"{v}.00"} for v in range(3)],
           "stock": [{"sku": f"B{run}-HOT", "vendorId": f"B{run}-V0{v}", "hubId": None, "quantity": 50} for v in range(3)]}
    put_catalog(args.inventory, args.token, hot)
    hot_orders = create_orders(args.pg, run + 500000, shop + ".hot", 200, f"'B{run}-HOT'")
    before = deadlocks(args.pg)
    started = time.time()
    publish(args.amqp, shop + ".hot", hot_orders, point_every=1)
    allocated, failed, span = wait_for_allocations(args.pg, shop + ".hot", hot_orders)
    left = int(psql(args.pg, f"SELECT sum(quantity) FROM inventory.stock WHERE sku = 'B{run}-HOT'"))
    taken = int(psql(args.pg, f"SELECT coalesce(sum(quantity), 0) FROM inventory.allocation_lines WHERE sku = 'B{run}-HOT'"))
    lost = 150 - left - taken
    locks = deadlocks(args.pg) - before
    log(f"  {allocated} allocated, {failed} failed, stock left {left}, units unaccounted {lost}, deadlocks {locks}")
    verdict = "correct" if (allocated, failed, left, lost, locks) == (150, 50, 0, 0, 0) else "WRONG"
    print(f"| 200 orders at once for one SKU with 150 units | {allocated} allocated, {failed} failed; stock left {left}, "
          f"units unaccounted {lost} ({verdict}) | {span:.1f} s | {allocated / span if span > 0 else 0:,.0f}/s "
          f"| {time.time() - started:.1f} s | {locks} |")
    if verdict != "correct":
        sys.exit(1)


if __name__ == "__main__":
    main()

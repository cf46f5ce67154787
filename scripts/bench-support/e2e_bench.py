#!/usr/bin/python3
"""The whole system under a merchant's traffic: signed Shopify orders at chosen rates (wrk,
orders signed in wrk itself, every request a new order), then from the databases how long
each order took from the webhook's acknowledgement to its allocation and to the vendor's
email, and each service's peak memory.

    e2e_bench.py --pg URL --order-url URL --inventory-url URL --secret S --admin-token T
                 [--rates 100,200,400,600,max] [--duration 10] [--markdown FILE] [--plot FILE]

Prints a table; appends it (with machine, command and date) to --markdown and draws
latency against offered load into --plot (PNG).
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SKU = "BENCH-E2E-1"
VENDOR = "VEND-BENCH-1"
PORTS = {"OrderService": 8081, "InventoryService": 8082, "DeliveryService": 8083, "NotificationService": 8084}


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAqF", "|", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("psql failed: " + out.stderr.strip())
    return out.stdout.strip()


def load_catalog(url, token):
    catalog = {
        "hubs": [],
        "vendors": [{"id": VENDOR, "name": "Bench Vendor", "email": "bench-vendor@vendors.example",
                     "latitude": 19.0760, "longitude": 72.8777}],
        "products": [{"sku": SKU, "title": "Bench product"}],
        "offers": [{"vendorId": VENDOR, "sku": SKU, "margin": "10.00"}],
        "stock": [{"sku": SKU, "vendorId": VENDOR, "hubId": None, "quantity": 100_000_000}],
    }
    request = urllib.request.Request(url + "/admin/catalog", data=json.dumps(catalog).encode(), method="PUT",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 200:
            sys.exit(f"catalog: HTTP {answer.status}")


def wrk(lua, url, connections, duration):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", lua, url],
                         capture_output=True, text=True).stdout

    def field(pattern, default="0"):
        match = re.search(pattern, out, re.M)
        return match.group(1) if match else default

    def ms(text):
        match = re.match(r"([\d.]+)(us|ms|s)$", text)
        return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)] if match else 0.0

    return {
        "requests": int(field(r"(\d+) requests in")),
        "rps": float(field(r"Requests/sec:\s+([\d.]+)")),
        "p50": ms(field(r"^\s+50%\s+(\S+)", "0ms")),
        "p99": ms(field(r"^\s+99%\s+(\S+)", "0ms")),
        "non2xx": int(field(r"Non-2xx or 3xx responses: (\d+)")),
    }


def wait_done(pg, run, timeout=900):
    """Until every order of the run is allocated and its vendor emailed, and nothing is left
    anywhere in the pipeline (so the next rate starts on an idle system)."""
    like = f"5{run:03d}%"
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = int(psql(pg, f"""
            SELECT (SELECT count(*) FROM orders.webhook_deliveries WHERE status = 'pending')
                 + (SELECT count(*) FROM orders.outbox WHERE published_at IS NULL)
                 + (SELECT count(*) FROM inventory.outbox WHERE published_at IS NULL)
                 + (SELECT count(*) FROM delivery.outbox WHERE published_at IS NULL)
                 + (SELECT count(*) FROM notification.jobs WHERE state IN ('PENDING', 'PROCESSING'))
                 + (SELECT count(*) FROM orders.orders WHERE shopify_order_id::text LIKE '{like}' AND status = 'confirmed')"""))
        if left == 0:
            return True
        time.sleep(1)
    return False


def measure(pg, run):
    like = f"5{run:03d}%"
    row = psql(pg, f"""
        WITH d AS (
            SELECT substr(webhook_id, 5) AS id, received_at FROM orders.webhook_deliveries WHERE webhook_id LIKE 'e2e-{like}'),
        a AS (
            SELECT d.id, d.received_at, al.created_at AS allocated_at, al.status,
                   (SELECT max(j.completed_at) FROM notification.jobs j
                     WHERE j.shopify_order_id = d.id AND j.template = 'seller-order-assigned') AS notified_at
            FROM d JOIN inventory.allocations al ON al.shopify_order_id = d.id)
        SELECT count(*),
               count(*) FILTER (WHERE status = 'allocated'),
               round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM allocated_at - received_at))),
               round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM allocated_at - received_at))),
               round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM notified_at - received_at))),
               round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM notified_at - received_at))),
               round((count(*) / greatest(extract(epoch FROM max(allocated_at) - min(received_at)), 0.001))::numeric, 0),
               (SELECT count(*) FROM d)
        FROM a""").split("|")
    keys = ["orders", "allocated", "alloc_p50", "alloc_p99", "notify_p50", "notify_p99", "sustained", "deliveries"]
    return {k: float(v or 0) for k, v in zip(keys, row)}


def peak_memory():
    peaks = {}
    for name, port in PORTS.items():
        listing = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
        pids = set(re.findall(r"pid=(\d+)", listing))
        for pid in pids:
            try:
                status = open(f"/proc/{pid}/status").read()
            except OSError:
                continue
            hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024
            peaks[name] = max(peaks.get(name, 0), hwm)
    return peaks


def plot(path, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (no plot: python3-matplotlib is missing)", file=sys.stderr)
        return
    rows = sorted(rows, key=lambda r: r["wrk"]["rps"])
    x = [r["wrk"]["rps"] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    for key, label, style in [("ack_p99", "webhook ack p99", "o-"), ("alloc_p50", "webhook → allocated p50", "s--"),
                              ("alloc_p99", "webhook → allocated p99", "s-"), ("notify_p99", "webhook → vendor email p99", "^-")]:
        y = [max(0.1, r["wrk"]["p99"] if key == "ack_p99" else r["db"][key]) for r in rows]
        ax.plot(x, y, style, label=label)
    ax.axhline(1000, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("offered load: acknowledged orders per second")
    ax.set_ylabel("latency (ms, log scale)")
    ax.set_yscale("log")
    ax.set_title("End to end on 2 cores (everything on one machine)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    print(f"  plot written to {path}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True)
    parser.add_argument("--order-url", required=True)
    parser.add_argument("--inventory-url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--rates", default="100,200,400,600,max")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--markdown")
    parser.add_argument("--plot")
    parser.add_argument("--work", default="/tmp")
    args = parser.parse_args()

    load_catalog(args.inventory_url, args.admin_token)
    print("  waiting until the system is idle…", file=sys.stderr)
    if not wait_done(args.pg, 0):
        sys.exit("the system did not become idle (work left from before?)")
    base_run = random.randrange(100, 900)
    rows = []
    for index, rate in enumerate(args.rates.split(",")):
        run = (base_run + index) % 1000
        paced = rate != "max"
        lua = os.path.join(args.work, f"e2e-{rate}.lua")
        cmd = [sys.executable, os.path.join(HERE, "e2e_orders.py"), lua, "--secret", args.secret, "--sku", SKU,
               "--run", str(run)] + (["--rate", rate] if paced else [])
        subprocess.run(cmd, check=True)
        print(f"  {rate}/s for {args.duration}s…", file=sys.stderr)
        result = wrk(lua, args.order_url, 16 if paced else 64, args.duration)
        done = wait_done(args.pg, run)
        db = measure(args.pg, run)
        rows.append({"rate": rate, "wrk": result, "db": db, "done": done})
        print(f"  {rate:>4}: ack {result['rps']:.0f}/s p50 {result['p50']:.1f} ms p99 {result['p99']:.1f} ms, "
              f"orders {db['orders']:.0f} (allocated {db['allocated']:.0f}), sustained {db['sustained']:.0f}/s, "
              f"→allocated p50 {db['alloc_p50']:.0f} ms p99 {db['alloc_p99']:.0f} ms, "
              f"→email p50 {db['notify_p50']:.0f} ms p99 {db['notify_p99']:.0f} ms", file=sys.stderr)
        time.sleep(3)
    memory = peak_memory()

    lines = [
        "",
        f"## End to end, {datetime.date.today().isoformat()}",
        "",
        f"Command: `./scripts/bench e2e --duration {args.duration}` (rates {args.rates}). Machine: {os.cpu_count()} cores, "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, {platform.freedesktop_os_release().get('PRETTY_NAME', 'Linux')}, "
        "release build; wrk, the four services, PostgreSQL, RabbitMQ and the SMTP sink all on this machine. Each request is a "
        "new signed Shopify order (two units of one SKU); latency is measured from the webhook's acknowledgement "
        "(its row's `received_at`) to the allocation's commit and to the vendor's email being sent (the end of the "
        "chain: OrderService → InventoryService → OrderService → NotificationService → SMTP). Sustained = orders "
        "allocated / (last allocation − first acknowledgement).",
        "",
        "| offered | acknowledged/s | ack p50 | ack p99 | orders | sustained orders/s | → allocated p50 | → allocated p99 | → email p50 | → email p99 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        w, d = r["wrk"], r["db"]
        offered = "as fast as possible" if r["rate"] == "max" else f"{r['rate']}/s"
        note = "" if r["done"] else " (not all finished)"
        lines.append(f"| {offered} | {w['rps']:.0f} | {w['p50']:.1f} ms | {w['p99']:.1f} ms | {d['orders']:.0f}{note} | "
                     f"{d['sustained']:.0f} | {d['alloc_p50']:.0f} ms | {d['alloc_p99']:.0f} ms | {d['notify_p50']:.0f} ms | "
                     f"{d['notify_p99']:.0f} ms |")
    lines += ["", "Peak resident memory (VmHWM) of each service process since it started: " +
              ", ".join(f"{name} {mb} MB" for name, mb in memory.items()) + "."]
    if args.plot:
        plot(args.plot, rows)
        lines += ["", f"![latency against offered load]({os.path.relpath(args.plot, os.path.dirname(args.markdown or '.'))})"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()

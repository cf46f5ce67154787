#!/usr/bin/python3
"""Measures NotificationService's job queue on the running system.

    notification_bench.py --events N [--rate R] --pg URL --amqp URL

Publishes N `order.delivered` events (each a new customer email; only NotificationService
consumes this event, so the figures are its own) to RabbitMQ as fast as pika can, then waits
until their N email jobs are COMPLETED (sent to the local SMTP sink).
Prints a markdown row: jobs/s from the first job created to the last one sent, and the
latency from a job's creation (the event's arrival) to its send, p50 and p99.
"""
import argparse
import json
import subprocess
import sys
import time
import uuid

import pika


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAqc", sql], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("psql failed: " + out.stderr.strip())
    return out.stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--rate", type=float, default=0, help="events per second (0: as fast as possible)")
    parser.add_argument("--pg", required=True)
    parser.add_argument("--amqp", required=True)
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    connection = pika.BlockingConnection(pika.URLParameters(args.amqp))
    channel = connection.channel()
    started = time.time()
    for i in range(args.events):
        if args.rate > 0:
            wait = started + i / args.rate - time.time()
            if wait > 0:
                time.sleep(wait)
        order = f"nb-{run}-{i}"
        body = {
            "orderId": order, "shopifyOrderId": order, "shopDomain": "bench.myshopify.com", "name": f"#B{i}", "currency": "INR",
            "customer": {"email": f"{order}@bench.example", "firstName": "Bench"},
            "payment": {"method": "cod", "status": "paid", "totalAmount": "100.00", "collectedAmount": "100.00",
                        "remainingAmount": "0.00"},
        }
        channel.basic_publish("marketplace.events", "order.delivered", json.dumps(body).encode(), pika.BasicProperties(
            content_type="application/json", delivery_mode=2, message_id=str(uuid.uuid4()), type="order.delivered"))
    connection.close()
    published = time.time() - started
    print(f"  published {args.events} events in {published:.1f}s", file=sys.stderr)
    where = f"event_id LIKE 'order.delivered:nb-{run}-%'"
    deadline = time.time() + 900
    while time.time() < deadline:
        done = int(psql(args.pg, f"SELECT count(*) FROM notification.jobs WHERE {where} AND state = 'COMPLETED'"))
        if done >= args.events:
            break
        time.sleep(0.5)
    row = psql(args.pg, f"""
        SELECT count(*) FILTER (WHERE state = 'COMPLETED') || ',' ||
               extract(epoch FROM max(completed_at) - min(created_at)) || ',' ||
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) || ',' ||
               percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) || ',' ||
               count(*) FILTER (WHERE attempts > 1)
        FROM notification.jobs WHERE {where}
        """)
    completed, span, p50, p99, retried = row.split(",")
    completed, span = int(completed), float(span)
    offered = f"paced at {args.rate:,.0f}/s" if args.rate > 0 else "as fast as possible"
    print(f"| {args.events} delivery emails to the SMTP sink, {offered} | {completed} sent, {retried} needed a retry | {span:.1f} s "
          f"| **{completed / span:,.0f}/s** | {float(p50) * 1000:.0f} ms | {float(p99) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()

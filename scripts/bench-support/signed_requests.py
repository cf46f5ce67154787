#!/usr/bin/env python3
"""Writes a wrk Lua script that sends pre-signed Shopify deliveries.

    signed_requests.py OUT.lua --secret S [--orders N] [--mode distinct|duplicates|badsig]
                       [--rate R --threads T]

distinct:   every request a new webhook id (new orders cycle through N pre-signed bodies)
duplicates: 90% of requests repeat one of a few webhook ids already sent
badsig:     every request carries a wrong signature
With --rate, each wrk thread sends its share of R requests per second on a fixed schedule.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "shopify", "orders-create.json")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--mode", choices=["distinct", "duplicates", "badsig"], default="distinct")
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    # Shopify's sample is a cancelled order: the benchmark's orders are live ones.
    raw = open(FIXTURE, encoding="utf-8").read().replace('"cancelled_at": "2021-12-31T19:00:00-05:00"', '"cancelled_at": null')
    lines = ["local bodies = {}", "local sigs = {}"]
    for i in range(args.orders):
        order_id = 4_000_000_000_000_000_000 + random.randrange(10**17)
        body = raw.replace('"id": 820982911946154508', f'"id": {order_id}')
        key = args.secret if args.mode != "badsig" else "not-the-secret"
        sig = base64.b64encode(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()).decode()
        lines.append(f"bodies[{i + 1}] = {json.dumps(body)}")
        lines.append(f'sigs[{i + 1}] = "{sig}"')
    # wrk runs two threads (-t2), each sending half the rate.
    interval = (1000.0 * args.threads / args.rate) if args.rate > 0 else 0
    nonce = f"{random.randrange(10**12):012d}"
    lines.append(LUA.replace("NORDERS", str(args.orders)).replace("MODE", args.mode)
                 .replace("INTERVAL", f"{interval:.4f}").replace("NONCE", nonce))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


LUA = r"""
local counter = 0
local threads = 0
local mode = "MODE"
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
end
-- Pacing: each thread sends on a fixed schedule (its share of the rate), so slow responses
-- do not lower the rate the way a fixed pause after each response would.
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec; int clock_gettime(int, bench_timespec *); ]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval = INTERVAL
local next_at = nil
function delay()
  if interval <= 0 then return 0 end
  local now = now_ms()
  if next_at == nil or next_at < now - 1000 then next_at = now end
  local slot = next_at
  next_at = next_at + interval
  return math.max(0, math.floor(slot - now + 0.5))
end
function request()
  counter = counter + 1
  local i = (counter % NORDERS) + 1
  local id = "bench-NONCE-" .. tostring(tid) .. "-" .. counter
  if mode == "duplicates" and counter > 10 and math.random() < 0.9 then
    id = "bench-NONCE-" .. tostring(tid) .. "-" .. math.random(1, 10)
    i = ((tonumber(string.match(id, "%d+$")) or 1) % NORDERS) + 1
  end
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-Shopify-Topic"] = "orders/create"
  headers["X-Shopify-Hmac-Sha256"] = sigs[i]
  headers["X-Shopify-Shop-Domain"] = "bench.myshopify.com"
  headers["X-Shopify-Webhook-Id"] = id
  headers["X-Shopify-Event-Id"] = "evt-" .. id
  headers["X-Shopify-Triggered-At"] = "2026-11-23T10:00:00Z"
  headers["X-Shopify-API-Version"] = "2024-10"
  return wrk.format("POST", "/webhooks/shopify", headers, bodies[i])
end
"""

if __name__ == "__main__":
    main()

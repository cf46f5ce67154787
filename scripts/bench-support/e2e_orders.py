#!/usr/bin/env python3
"""Writes a wrk Lua script that sends signed Shopify orders/create deliveries, every request a
new order (its own Shopify order id and webhook id), signed at send time.

    e2e_orders.py OUT.lua --secret S --sku SKU [--rate R --threads T] [--run RUN]

The body is the Shopify sample order with its SKUs set to SKU; the order id is built from
RUN, the wrk thread and a counter, so that no two requests (in any thread) share one. The
HMAC-SHA256 signature is computed in wrk's LuaJIT through OpenSSL's libcrypto (ffi): no
body is pre-built, so a run can send any number of distinct orders. With --rate, each wrk
thread sends its share of R requests per second on a fixed schedule.
"""
import argparse
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "shopify", "orders-create.json")
ID = '"id": 820982911946154508'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--sku", required=True)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--run", type=int, default=random.randrange(1, 900))
    args = parser.parse_args()
    # Shopify's sample is a cancelled order: the benchmark's orders are live ones.
    raw = (open(FIXTURE, encoding="utf-8").read().replace('"sku": "IPOD2008PINK"', f'"sku": "{args.sku}"')
           .replace('"cancelled_at": "2021-12-31T19:00:00-05:00"', '"cancelled_at": null'))
    prefix, suffix = raw.split(ID, 1)
    interval = (1000.0 * args.threads / args.rate) if args.rate > 0 else 0
    lua = (LUA.replace("PREFIX", json.dumps(prefix + '"id": ')).replace("SUFFIX", json.dumps(suffix))
           .replace("SECRET", json.dumps(args.secret)).replace("INTERVAL", f"{interval:.4f}")
           .replace("RUN", str(args.run)))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(lua)


LUA = r"""
local prefix, suffix, secret = PREFIX, SUFFIX, SECRET
local ffi = require("ffi")
ffi.cdef[[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len, const unsigned char *d, size_t n,
                    unsigned char *out, unsigned int *out_len);
typedef struct { long tv_sec; long tv_nsec; } e2e_timespec;
int clock_gettime(int, e2e_timespec *);
]]
local crypto = ffi.load("crypto")
local digest = ffi.new("unsigned char[32]")
local digest_len = ffi.new("unsigned int[1]")
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(bytes, n)
  local out = {}
  for i = 0, n - 1, 3 do
    local a, b, c = bytes[i], i + 1 < n and bytes[i + 1] or 0, i + 2 < n and bytes[i + 2] or 0
    local v = a * 65536 + b * 256 + c
    local s = {}
    for k = 3, 0, -1 do
      local x = math.floor(v / 64 ^ k) % 64
      s[#s + 1] = alphabet:sub(x + 1, x + 1)
    end
    if i + 1 >= n then s[3] = "=" end
    if i + 2 >= n then s[4] = "=" end
    out[#out + 1] = table.concat(s)
  end
  return table.concat(out)
end
local function sign(body)
  crypto.HMAC(crypto.EVP_sha256(), secret, #secret, body, #body, digest, digest_len)
  return base64(digest, 32)
end

local threads, counter = 0, 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local clock = ffi.new("e2e_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval, next_at = INTERVAL, nil
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
  -- 5RUN TT CCCCCCCCC: below 2^63, above 2^53, unique per run, thread and request.
  local id = string.format("5%03d%02d%09d", RUN, tid or 0, counter) .. "000"
  local body = prefix .. id .. suffix
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-Shopify-Topic"] = "orders/create"
  headers["X-Shopify-Hmac-Sha256"] = sign(body)
  headers["X-Shopify-Shop-Domain"] = "bench.myshopify.com"
  headers["X-Shopify-Webhook-Id"] = "e2e-" .. id
  headers["X-Shopify-Event-Id"] = "evt-" .. id
  headers["X-Shopify-Triggered-At"] = "2026-11-24T10:00:00Z"
  headers["X-Shopify-API-Version"] = "2024-10"
  return wrk.format("POST", "/webhooks/shopify", headers, body)
end
"""

if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Checks deploy/monitoring/alerts.yml against the code: every rule is complete, and every
metric and queue it names is one the services export or declare, so that a renamed metric
or queue cannot leave an alert that never fires.

    check_alerts.py deploy/monitoring/alerts.yml

Prints one line per problem (PROBLEM ...) and exits 1 if there is any.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("Shared", "Services") for p in (ROOT / d).rglob("*.swift")]
CODE = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
# Metrics the code creates (swift-metrics labels); Prometheus adds suffixes to some.
METRICS = set(re.findall(r'(?:Counter|Gauge|Recorder|Timer)\(label: "([a-z_]+)"', CODE))
# Queues: the unrouted queue (and an earlier release's), each service's queue and dead-letter queue.
SERVICE_QUEUES = set(re.findall(r'case \.\w+Service: "([a-z]+-service)"', CODE))
UNROUTED = {re.search(rf'{name} = "([^"]+)"', CODE).group(1) for name in ("unroutedQueue", "legacyUnroutedQueue")}
QUEUES = UNROUTED | SERVICE_QUEUES | {q + ".dlq" for q in SERVICE_QUEUES}
PROMQL_WORDS = {"max", "min", "sum", "avg", "count", "by", "without", "rate", "increase", "on", "and", "or", "unless",
                "bool", "offset", "ignoring", "group_left", "group_right"}

problems = []


def problem(where, text):
    problems.append(f"PROBLEM {where}: {text}")


def check_rule(rule):
    name = rule.get("alert", "?")
    for key in ("alert", "expr", "for", "labels", "annotations"):
        if key not in rule:
            problem(name, f"no {key}")
    if "severity" not in (rule.get("labels") or {}):
        problem(name, "no severity label")
    if not {"summary", "description"} <= set(rule.get("annotations") or {}):
        problem(name, "annotations need a summary and a description")
    expr = str(rule.get("expr", ""))
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    words = set(re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*[=!~])", re.sub(r"\{[^}]*\}|\([a-z_, ]*\)(?=\s*\()", "", without_strings)))
    metrics = {w for w in words if w not in PROMQL_WORDS and not re.fullmatch(r"\d+[smhd]?", w)}
    if not metrics:
        problem(name, f"names no metric: {expr}")
    for metric in metrics:
        base = re.sub(r"_(total|bucket|sum|count)$", "", metric)
        if metric not in METRICS and base not in METRICS:
            problem(name, f"metric {metric} is not one the services export ({', '.join(sorted(METRICS))})")
    for matcher, value in re.findall(r'queue\s*(=~|=)\s*"([^"]*)"', expr):
        pattern = value.encode().decode("unicode_escape") if matcher == "=~" else re.escape(value)
        if not any(re.fullmatch(pattern, q) for q in QUEUES):
            problem(name, f"queue {value!r} matches no queue the services declare ({', '.join(sorted(QUEUES))})")


def main(path):
    document = yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))
    groups = (document or {}).get("groups") or []
    if not groups:
        problem(path, "no rule groups")
    seen = set()
    for group in groups:
        for rule in group.get("rules") or []:
            if rule.get("alert") in seen:
                problem(rule.get("alert"), "defined twice")
            seen.add(rule.get("alert"))
            check_rule(rule)
    for line in problems:
        print(line)
    print(f"{len(seen)} alerts checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

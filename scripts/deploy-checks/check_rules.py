#!/usr/bin/python3
"""Checks the rendered Kubernetes manifests and the resolved docker-compose file against the
rules deploy/README.md states and against the documented ports (README) and variables (docs/configuration.md).

    check_rules.py --compose COMPOSE_CONFIG.yaml RENDERED.yaml [RENDERED.yaml ...]

Prints one line per problem and exits 1 if there is any.
"""
import argparse
import sys

import yaml

# The README and docs/configuration.md: services, their ports and the variables each one reads.
COMMON = {"DATABASE_URL", "AMQP_URL", "PORT", "LOG_LEVEL", "ADMIN_TOKEN"}
SERVICES = {
    "order-service": (8081, COMMON | {"SHOPIFY_WEBHOOK_SECRETS"}),
    "inventory-service": (8082, COMMON),
    "delivery-service": (8083, COMMON | {"SHIPROCKET_WEBHOOK_TOKEN"}),
    "notification-service": (8084, COMMON | {"SMTP_URL", "SMTP_FROM", "PUSH_URL", "PUSH_TOKEN"}),
}
# Variables that hold credentials: never a literal value in a manifest.
SECRET_VARIABLES = {"DATABASE_URL", "AMQP_URL", "ADMIN_TOKEN", "SHOPIFY_WEBHOOK_SECRETS", "SHIPROCKET_WEBHOOK_TOKEN",
                    "SMTP_URL", "PUSH_TOKEN", "SHIPROCKET_API_PASSWORD"}
PUBLIC_PATHS = {"/webhooks/shopify": "order-service", "/webhooks/shiprocket": "delivery-service"}

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def dig(node, *keys):
    for key in keys:
        if isinstance(node, list) and isinstance(key, int) and len(node) > key:
            node = node[key]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return None
    return node


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in (selector or {}).items())


def check_deployment(where, deployment, objects):
    name = deployment["metadata"]["name"]
    port, variables = SERVICES.get(name, (None, set()))
    if port is None:
        problem(where, f"Deployment {name} is not one of the four services")
        return
    pod = dig(deployment, "spec", "template", "spec") or {}
    labels = dig(deployment, "spec", "template", "metadata", "labels") or {}
    containers = pod.get("containers") or []
    if len(containers) != 1:
        problem(where, f"{name}: expected one container, found {len(containers)}")
        return
    container = containers[0]
    if not any(p.get("containerPort") == port for p in container.get("ports") or []):
        problem(where, f"{name}: container port {port} (README) is missing")
    for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
        if dig(container, probe, "httpGet", "path") != path:
            problem(where, f"{name}: {probe} must GET {path}")
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if dig(container, "resources", kind, resource) is None:
                problem(where, f"{name}: resources.{kind}.{resource} is missing")
    if dig(pod, "securityContext", "runAsNonRoot") is not True and dig(container, "securityContext", "runAsNonRoot") is not True:
        problem(where, f"{name}: runAsNonRoot must be true")
    if dig(pod, "securityContext", "runAsUser") in (None, 0):
        problem(where, f"{name}: runAsUser must be a non-zero uid")
    if dig(container, "securityContext", "readOnlyRootFilesystem") is not True:
        problem(where, f"{name}: readOnlyRootFilesystem must be true")
    if dig(container, "securityContext", "allowPrivilegeEscalation") is not False:
        problem(where, f"{name}: allowPrivilegeEscalation must be false")
    if "ALL" not in (dig(container, "securityContext", "capabilities", "drop") or []):
        problem(where, f"{name}: capabilities must drop ALL")
    if (pod.get("terminationGracePeriodSeconds") or 30) < 30:
        problem(where, f"{name}: terminationGracePeriodSeconds under 30 s leaves no time to drain")
    account = pod.get("serviceAccountName")
    if not account or not any(o["kind"] == "ServiceAccount" and o["metadata"]["name"] == account for o in objects):
        problem(where, f"{name}: its ServiceAccount is missing")
    env = {e["name"]: e for e in container.get("env") or []}
    for variable in sorted(variables - set(env)):
        problem(where, f"{name}: documented variable {variable} is not set")
    for variable in sorted(SECRET_VARIABLES & set(env)):
        if "secretKeyRef" not in (env[variable].get("valueFrom") or {}):
            problem(where, f"{name}: {variable} must come from a Secret")
    if str(dig(env, "PORT", "value")) != str(port):
        problem(where, f"{name}: PORT must be {port}")
    if not any(o["kind"] == "Service" and selects(dig(o, "spec", "selector"), labels)
               and any(p.get("port") == port for p in dig(o, "spec", "ports") or []) for o in objects):
        problem(where, f"{name}: no Service on port {port} selects it")
    if not any(o["kind"] == "HorizontalPodAutoscaler" and dig(o, "spec", "scaleTargetRef", "name") == name for o in objects):
        problem(where, f"{name}: no HorizontalPodAutoscaler")
    if not any(o["kind"] == "PodDisruptionBudget" and selects(dig(o, "spec", "selector", "matchLabels"), labels) for o in objects):
        problem(where, f"{name}: no PodDisruptionBudget")
    if not any(o["kind"] == "NetworkPolicy" and selects(dig(o, "spec", "podSelector", "matchLabels"), labels)
               and "Ingress" in (dig(o, "spec", "policyTypes") or []) for o in objects):
        problem(where, f"{name}: no NetworkPolicy of its own")


def check_manifests(path):
    with open(path) as f:
        objects = [o for o in yaml.safe_load_all(f) if o]
    deployments = [o for o in objects if o["kind"] == "Deployment"]
    if {d["metadata"]["name"] for d in deployments} != set(SERVICES):
        problem(path, f"expected the Deployments {sorted(SERVICES)}")
    for deployment in deployments:
        check_deployment(path, deployment, objects)
    if not any(o["kind"] == "NetworkPolicy" and dig(o, "spec", "podSelector") == {} and not dig(o, "spec", "ingress")
               for o in objects):
        problem(path, "no default-deny NetworkPolicy")
    for ingress in (o for o in objects if o["kind"] == "Ingress"):
        for rule in dig(ingress, "spec", "rules") or []:
            for http_path in dig(rule, "http", "paths") or []:
                target = dig(http_path, "backend", "service", "name")
                if PUBLIC_PATHS.get(http_path.get("path")) != target:
                    problem(path, f"Ingress publishes {http_path.get('path')} → {target}; only the webhook paths may be public")
    print(f"  {path}: {len(objects)} objects, {len(deployments)} Deployments checked")


def check_compose(path):
    with open(path) as f:
        compose = yaml.safe_load(f)
    services = compose.get("services") or {}
    for name in ("postgres", "rabbitmq"):
        if name not in services:
            problem(path, f"service {name} is missing")
    if "pg_isready" not in str(dig(services, "postgres", "healthcheck", "test")):
        problem(path, "postgres needs a pg_isready health check")
    if "check_running" not in str(dig(services, "rabbitmq", "healthcheck", "test")):
        problem(path, "rabbitmq needs a rabbitmq-diagnostics check_running health check")
    if not any("docker-entrypoint-initdb.d" in str(v) for v in dig(services, "postgres", "volumes") or []):
        problem(path, "postgres needs the init script that creates the schemas and roles")
    for name, (port, variables) in SERVICES.items():
        service = services.get(name)
        if service is None:
            problem(path, f"service {name} is missing")
            continue
        env = service.get("environment") or {}
        for variable in sorted(variables - set(env)):
            problem(path, f"{name}: documented variable {variable} is not set")
        if str(env.get("PORT")) != str(port):
            problem(path, f"{name}: PORT must be {port}")
        published = {(int(p.get("published", 0)), int(p.get("target", 0))) for p in service.get("ports") or [] if isinstance(p, dict)}
        if (port, port) not in published:
            problem(path, f"{name}: port {port} must be published as {port} (README)")
        if f":{port}/health/ready" not in " ".join(map(str, dig(service, "healthcheck", "test") or [])):
            problem(path, f"{name}: its health check must GET /health/ready on {port}")
        for store in ("postgres", "rabbitmq"):
            if dig(service, "depends_on", store, "condition") != "service_healthy":
                problem(path, f"{name}: must wait for {store} to be healthy")
        if dig(service, "build", "args", "SERVICE") is None:
            problem(path, f"{name}: the image must be built with --build-arg SERVICE")
    print(f"  {path}: {len(services)} compose services checked")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compose")
    parser.add_argument("manifests", nargs="*")
    args = parser.parse_args()
    for path in args.manifests:
        check_manifests(path)
    if args.compose:
        check_compose(args.compose)
    for line in problems:
        print("  PROBLEM " + line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# PostgreSQL image init script (docker-entrypoint-initdb.d): the database's four schemas and
# four confined roles, one per service. Each role can use its own schema and nothing else.
# Passwords come from the environment (ORDER_SERVICE_DB_PASSWORD, …); none is written here.
set -euo pipefail

db="${POSTGRES_DB:?POSTGRES_DB is not set}"
sql="REVOKE ALL ON DATABASE \"$db\" FROM PUBLIC; REVOKE ALL ON SCHEMA public FROM PUBLIC;"
for row in "orders order_service ORDER_SERVICE_DB_PASSWORD" \
           "inventory inventory_service INVENTORY_SERVICE_DB_PASSWORD" \
           "delivery delivery_service DELIVERY_SERVICE_DB_PASSWORD" \
           "notification notification_service NOTIFICATION_SERVICE_DB_PASSWORD"; do
  read -r schema role variable <<<"$row"
  password="${!variable:?$variable is not set}"
  sql+="
CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password//\'/\'\'}';
CREATE SCHEMA $schema AUTHORIZATION $role;
REVOKE ALL ON SCHEMA $schema FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE \"$db\" TO $role;
ALTER ROLE $role IN DATABASE \"$db\" SET search_path = $schema;"
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$db" --quiet <<<"$sql"

-- The catalog InventoryService allocates from: hubs, vendors, products, vendors' offers and
-- stock levels. Ids are the merchant's own (text), as PUT /admin/catalog sends them.
CREATE TABLE hubs (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    radius_km   double precision NOT NULL CHECK (radius_km >= 0),
    active      boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vendors (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    email       text NOT NULL,
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    sku                 text PRIMARY KEY,
    shopify_variant_id  bigint UNIQUE,
    title               text NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A vendor sells a SKU at a margin; stock without an offer is not sold.
CREATE TABLE offers (
    vendor_id   text NOT NULL REFERENCES vendors (id),
    sku         text NOT NULL REFERENCES products (sku),
    margin      numeric(20, 6) NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, vendor_id)
);

-- One level per (SKU, vendor, hub or none). The CHECK is the last line of defence against
-- overselling; allocation and adjustments never try to cross it.
CREATE TABLE stock (
    id          bigserial PRIMARY KEY,
    sku         text NOT NULL REFERENCES products (sku),
    vendor_id   text NOT NULL REFERENCES vendors (id),
    hub_id      text REFERENCES hubs (id),
    quantity    integer NOT NULL CHECK (quantity >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stock_level UNIQUE NULLS NOT DISTINCT (sku, vendor_id, hub_id)
);

-- Applied stock adjustments, by idempotency key: a second request with the same key changes
-- nothing (and must carry the same net changes).
CREATE TABLE stock_adjustments (
    idempotency_key  text PRIMARY KEY,
    changes          jsonb NOT NULL,
    reason           text,
    applied_at       timestamptz NOT NULL DEFAULT now()
);

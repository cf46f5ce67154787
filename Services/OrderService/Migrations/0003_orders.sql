-- Customers, orders, payments and items built from Shopify's order payloads.
CREATE TABLE customers (
    id                   bigserial PRIMARY KEY,
    shop_domain          text NOT NULL,
    shopify_customer_id  bigint,
    email                text,
    first_name           text,
    last_name            text,
    phone                text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_shopify_id ON customers (shop_domain, shopify_customer_id)
    WHERE shopify_customer_id IS NOT NULL;
CREATE UNIQUE INDEX customers_guest_email ON customers (shop_domain, lower(email))
    WHERE shopify_customer_id IS NULL AND email IS NOT NULL;

CREATE TABLE orders (
    id                  bigserial PRIMARY KEY,
    shop_domain         text NOT NULL,
    shopify_order_id    bigint NOT NULL,
    name                text,
    customer_id         bigint NOT NULL REFERENCES customers (id),
    status              text NOT NULL CHECK (status IN ('confirmed', 'allocated', 'allocation_failed', 'delivered', 'cancelled')),
    currency            text NOT NULL,
    financial_status    text,
    shopify_created_at  timestamptz,
    shopify_updated_at  timestamptz NOT NULL,
    cancelled_at        timestamptz,
    shipping_latitude   double precision,
    shipping_longitude  double precision,
    billing_latitude    double precision,
    billing_longitude   double precision,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- One order per Shopify order, whatever mix of retries and re-deliveries arrives.
    CONSTRAINT orders_shop_order UNIQUE (shop_domain, shopify_order_id)
);

CREATE TABLE payments (
    order_id               bigint PRIMARY KEY REFERENCES orders (id),
    method                 text NOT NULL CHECK (method IN ('prepaid', 'cod', 'partial')),
    status                 text NOT NULL CHECK (status IN ('paid', 'unpaid', 'partially_paid')),
    gateway                text,
    total_product_amount   numeric(20, 4) NOT NULL,
    shipping_amount        numeric(20, 4) NOT NULL,
    discount_amount        numeric(20, 4) NOT NULL,
    total_amount           numeric(20, 4) NOT NULL,
    collected_amount       numeric(20, 4) NOT NULL,
    remaining_amount       numeric(20, 4) NOT NULL,
    currency               text NOT NULL,
    CHECK (collected_amount >= 0 AND remaining_amount >= 0)
);

CREATE TABLE order_items (
    id                    bigserial PRIMARY KEY,
    order_id              bigint NOT NULL REFERENCES orders (id),
    shopify_line_item_id  bigint NOT NULL,
    shopify_variant_id    bigint,
    sku                   text NOT NULL,
    title                 text,
    quantity              integer NOT NULL CHECK (quantity > 0),
    price                 numeric(20, 4) NOT NULL,
    UNIQUE (order_id, shopify_line_item_id)
);

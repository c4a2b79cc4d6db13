from django.db import migrations

# Whoever writes a refund line (an action, the admin, a script), the refunds of an order line
# never take more than its paid items or shipping, and an order's refunds never more than its
# total. Refunds the platform refused (`failed`) give nothing back and do not count; refunds the
# marketplace made on its side count, but are never refused (the platform's word is a fact).
# The order, then the line, are locked first (orders/locks.py), so two refunds of the same order
# are checked one after the other.
REFUND_WITHIN_PAID = """
CREATE FUNCTION returns_refund_within_paid() RETURNS trigger AS $$
DECLARE
    refund_order_id bigint;
    refund_source text;
    line_order_id bigint;
    order_total numeric;
    tax_excluded boolean;
    items_paid numeric;
    shipping_paid numeric;
    items_refunded numeric;
    shipping_refunded numeric;
    order_refunded numeric;
BEGIN
    SELECT order_id, source INTO refund_order_id, refund_source FROM returns_refund WHERE id = NEW.refund_id;
    SELECT order_id INTO line_order_id FROM orders_orderline WHERE id = NEW.order_line_id;
    IF line_order_id IS DISTINCT FROM refund_order_id THEN
        RAISE EXCEPTION 'order line % is not a line of the refunded order %', NEW.order_line_id, refund_order_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF refund_source = 'marketplace' THEN
        RETURN NEW;
    END IF;
    SELECT total_amount, tax_mode = 'TAX_EXCLUDED' INTO order_total, tax_excluded
      FROM orders_order WHERE id = refund_order_id FOR NO KEY UPDATE;
    SELECT total_amount + CASE WHEN tax_excluded THEN tax_amount ELSE 0 END,
           shipping_amount + CASE WHEN tax_excluded THEN shipping_tax_amount ELSE 0 END
      INTO items_paid, shipping_paid
      FROM orders_orderline WHERE id = NEW.order_line_id FOR UPDATE;
    SELECT COALESCE(SUM(line.amount), 0), COALESCE(SUM(line.shipping_amount), 0)
      INTO items_refunded, shipping_refunded
      FROM returns_refundline line JOIN returns_refund refund ON refund.id = line.refund_id
     WHERE line.order_line_id = NEW.order_line_id AND refund.status <> 'failed' AND line.id <> NEW.id;
    IF items_refunded + NEW.amount > items_paid THEN
        RAISE EXCEPTION 'order line % paid % for its items: % already refunded, % more asked',
            NEW.order_line_id, items_paid, items_refunded, NEW.amount USING ERRCODE = 'check_violation';
    END IF;
    IF shipping_refunded + NEW.shipping_amount > shipping_paid THEN
        RAISE EXCEPTION 'order line % paid % for shipping: % already refunded, % more asked',
            NEW.order_line_id, shipping_paid, shipping_refunded, NEW.shipping_amount USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(line.amount + line.shipping_amount), 0) INTO order_refunded
      FROM returns_refundline line JOIN returns_refund refund ON refund.id = line.refund_id
     WHERE refund.order_id = refund_order_id AND refund.status <> 'failed' AND line.id <> NEW.id;
    IF order_refunded + NEW.amount + NEW.shipping_amount > order_total THEN
        RAISE EXCEPTION 'order % totals %: % already refunded, % more asked',
            refund_order_id, order_total, order_refunded, NEW.amount + NEW.shipping_amount
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER returns_refund_within_paid BEFORE INSERT OR UPDATE OF amount, shipping_amount, order_line_id, refund_id
    ON returns_refundline FOR EACH ROW EXECUTE FUNCTION returns_refund_within_paid();
"""
DROP_REFUND_WITHIN_PAID = """
DROP TRIGGER returns_refund_within_paid ON returns_refundline;
DROP FUNCTION returns_refund_within_paid();
"""

# Days after delivery; no official source was found for any of them (unverified, editable in the admin).
WINDOWS = {"amazon": 30, "ebay": 30, "mirakl": 14, "cdiscount": 14}


def seed_windows(apps, schema_editor):
    ReturnWindow = apps.get_model("returns", "ReturnWindow")
    for platform, days in WINDOWS.items():
        ReturnWindow.objects.get_or_create(platform=platform, defaults={"days": days, "source": ""})


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [
        migrations.RunSQL(REFUND_WITHIN_PAID, DROP_REFUND_WITHIN_PAID),
        migrations.RunPython(seed_windows, migrations.RunPython.noop),
    ]

from django.db import migrations

# A refund the marketplace refused (`failed`) gives nothing back and stops counting against what was
# paid, so other refunds may take its room. Sending it again (the operator's "send again") makes it
# count again: the caps of migration 0002 are checked once more for each of its lines, as if it were
# new, when its status leaves `failed` for `sending` (the decision to resend; a marketplace's later
# word, `sent`, is a fact and is not refused). The order, then its lines, are locked first.
REFUND_RESEND_WITHIN_PAID = """
CREATE FUNCTION returns_refund_resend_within_paid() RETURNS trigger AS $$
DECLARE
    order_total numeric;
    tax_excluded boolean;
    refund_line record;
    items_paid numeric;
    shipping_paid numeric;
    items_refunded numeric;
    shipping_refunded numeric;
    order_refunded numeric;
    resent numeric := 0;
BEGIN
    SELECT total_amount, tax_mode = 'TAX_EXCLUDED' INTO order_total, tax_excluded
      FROM orders_order WHERE id = NEW.order_id FOR NO KEY UPDATE;
    FOR refund_line IN SELECT * FROM returns_refundline WHERE refund_id = NEW.id ORDER BY order_line_id LOOP
        SELECT total_amount + CASE WHEN tax_excluded THEN tax_amount ELSE 0 END,
               shipping_amount + CASE WHEN tax_excluded THEN shipping_tax_amount ELSE 0 END
          INTO items_paid, shipping_paid
          FROM orders_orderline WHERE id = refund_line.order_line_id FOR UPDATE;
        SELECT COALESCE(SUM(line.amount), 0), COALESCE(SUM(line.shipping_amount), 0)
          INTO items_refunded, shipping_refunded
          FROM returns_refundline line JOIN returns_refund refund ON refund.id = line.refund_id
         WHERE line.order_line_id = refund_line.order_line_id AND refund.status <> 'failed' AND refund.id <> NEW.id;
        IF items_refunded + refund_line.amount > items_paid
           OR shipping_refunded + refund_line.shipping_amount > shipping_paid THEN
            RAISE EXCEPTION 'refund % sent again would take more than order line % paid', NEW.id,
                refund_line.order_line_id USING ERRCODE = 'check_violation';
        END IF;
        resent := resent + refund_line.amount + refund_line.shipping_amount;
    END LOOP;
    SELECT COALESCE(SUM(line.amount + line.shipping_amount), 0) INTO order_refunded
      FROM returns_refundline line JOIN returns_refund refund ON refund.id = line.refund_id
     WHERE refund.order_id = NEW.order_id AND refund.status <> 'failed' AND refund.id <> NEW.id;
    IF order_refunded + resent > order_total THEN
        RAISE EXCEPTION 'refund % sent again would take more than order % paid', NEW.id, NEW.order_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER returns_refund_resend_within_paid BEFORE UPDATE OF status ON returns_refund
    FOR EACH ROW WHEN (OLD.status = 'failed' AND NEW.status = 'sending' AND NEW.source = 'operator')
    EXECUTE FUNCTION returns_refund_resend_within_paid();
"""
DROP_REFUND_RESEND_WITHIN_PAID = """
DROP TRIGGER returns_refund_resend_within_paid ON returns_refund;
DROP FUNCTION returns_refund_resend_within_paid();
"""


class Migration(migrations.Migration):
    dependencies = [("returns", "0008_queue_filter_indexes")]

    operations = [migrations.RunSQL(REFUND_RESEND_WITHIN_PAID, DROP_REFUND_RESEND_WITHIN_PAID)]

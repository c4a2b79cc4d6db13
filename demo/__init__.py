"""Demo data: tooling above every app, installed on developers' machines only (see `oms/settings.py`).

- `manage.py seed_demo` loads the demo accounts, users, stock and orders once (`make run` calls it);
- `manage.py generate_orders N` writes N orders with COPY (`order_history`), for demos at scale and benchmarks;
- `factories` builds canonical order data for the demo loader, the tests and the benchmarks;
- `stock` seeds the demo inventory.

No app imports this package; the production image does not ship it.
"""

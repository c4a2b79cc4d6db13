"""`python -m shipping.sandbox --host 127.0.0.1 --port 8766 [--speed X]`."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from .server import CarrierSandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shipping.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--speed", type=float, default=1.0, help="parcels travel this many times faster (default 1)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s carrier-sandbox %(levelname)s %(message)s",
    )
    server = CarrierSandbox(args.host, args.port, speed=args.speed).start()
    logging.getLogger("shipping.sandbox").info("carrier sandbox listening on %s", server.url)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


if __name__ == "__main__":
    main()

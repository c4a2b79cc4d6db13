"""`python -m marketplaces.sandbox --host 127.0.0.1 --port 8765 [--demo] [--state FILE] [--rate-scale X]`."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from .server import SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m marketplaces.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--demo", action="store_true", help="load the demo accounts and generate orders")
    parser.add_argument(
        "--demo-interval",
        type=float,
        default=20.0,
        help="seconds between generated orders per demo account (default 20)",
    )
    parser.add_argument("--state", help="JSON snapshot file: read at start, written every few seconds")
    parser.add_argument("--rate-scale", type=float, default=1.0, help="multiplies every rate limit's refill rate")
    parser.add_argument("--smtp", help="HOST:PORT of the SMTP server Amazon's buyer mail is sent through")
    parser.add_argument("--mail-to", default="ventes@seller.localhost", help="the seller's address for buyer mail")
    parser.add_argument("--mail-port", type=int, help="SMTP port taking the seller's replies to buyers")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s sandbox %(levelname)s %(message)s"
    )
    server = SandboxServer(
        args.host,
        args.port,
        state_path=args.state,
        rate_scale=args.rate_scale,
        demo=args.demo,
        demo_interval=args.demo_interval,
    ).start()
    logging.getLogger("marketplaces.sandbox").info("sandbox marketplaces listening on %s", server.url)
    if args.smtp or args.mail_port:
        host, _, port = (args.smtp or "").rpartition(":")
        server.mail.configure(smtp=(host, int(port)) if args.smtp else None, seller_address=args.mail_to)
        server.mail.listen(args.host, args.mail_port or 0)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


if __name__ == "__main__":
    main()

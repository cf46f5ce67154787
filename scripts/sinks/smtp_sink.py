#!/usr/bin/python3
"""A local SMTP server that keeps every message it accepts as a file in a mailbox folder.

    smtp_sink.py --port P --mailbox DIR [--cert CERT --key KEY] [--user U --password W]

Each message becomes DIR/<time>-<n>.eml, with X-Envelope-From and X-Envelope-To headers on
top, readable by a person or a test. With --cert/--key it offers STARTTLS; with --user it
requires AUTH (PLAIN or LOGIN) with that user and password. While a file named ".fail"
exists in DIR it answers every message with 451 (a temporary failure), to test retries;
while a file named ".slow" exists, it waits as many seconds as the file says (a decimal)
before it answers each message, as a slow relay does.
"""
import argparse
import asyncio
import itertools
import os
import signal
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

counter = itertools.count(1)


class Mailbox:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        try:
            with open(os.path.join(self.folder, ".slow"), encoding="utf-8") as file:
                await asyncio.sleep(float(file.read().strip() or "0"))
        except (OSError, ValueError):
            pass
        if os.path.exists(os.path.join(self.folder, ".fail")):
            return "451 4.3.0 mailbox temporarily unavailable (sink told to fail)"
        name = f"{time.time_ns()}-{next(counter)}.eml"
        header = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        temporary = os.path.join(self.folder, "." + name)
        with open(temporary, "wb") as file:
            file.write(header.encode() + envelope.original_content)
        os.rename(temporary, os.path.join(self.folder, name))
        return "250 2.0.0 OK: kept"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mailbox", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    os.makedirs(args.mailbox, exist_ok=True)

    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        options["tls_context"] = context
    if args.user:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user \
                and auth_data.password.decode() == args.password
            return AuthResult(success=ok)
        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=bool(args.cert))
    controller = Controller(Mailbox(args.mailbox), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # A wait with a timeout, so the signal handler gets to run.
    while not stop.wait(0.5):
        pass
    controller.stop()


if __name__ == "__main__":
    main()

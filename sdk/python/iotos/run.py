"""Run a driver: ``python3 -m iotos.run <module> <Class>``.

The engine starts this with the drivers dir as the working directory and
the SDK on PYTHONPATH. stdout belongs to the protocol: the runner keeps the
real stdout for frames and points ``sys.stdout`` (and fd 1) at stderr, so a
stray ``print`` becomes a log line instead of corrupting the stream.
"""

import importlib
import os
import re
import sys

from .serve import Server
from .wire import Peer

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _protocol_stdout():
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "wb", buffering=0)


def load(module, cls):
    if not _NAME.match(module) or not _NAME.match(cls):
        raise SystemExit("ERROR module and class must be identifiers: %r %r" % (module, cls))
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return getattr(importlib.import_module(module), cls)


def serve(drv, name, rfile, wfile):
    """Serve drv until the host closes rfile."""
    server = Server(drv)
    peer = Peer(rfile, wfile, server.handle)
    server.peer = peer
    peer.send_hello(name)
    reason = peer.run()
    if server.collector is not None:
        server.collector.close()
    return reason


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: python3 -m iotos.run <module> <Class>")
    out = _protocol_stdout()
    drv = load(argv[0], argv[1])()
    serve(drv, "python/%s.%s" % (argv[0], argv[1]), sys.stdin.buffer, out)


if __name__ == "__main__":
    main(sys.argv[1:])

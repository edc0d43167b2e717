"""The IOTOS wire protocol: newline-delimited JSON frames over stdio.

See docs/wire-protocol.md. Requests carry an ``id`` and get exactly one reply
with the same ``id``; notifications carry no ``id``. Both sides call at once,
so a driver callback may ask the host for a value while the host waits on it.
"""

import json
import queue
import sys
import threading

PROTOCOL = "iotos-wire"
VERSION = 1
MAX_LINE = 4 << 20  # bytes per frame, newline excluded

CODE_UNKNOWN = 101
CODE_ARG_ERROR = 105
CODE_NET_ERROR = 504
CODE_BAD_FRAME = 517
CODE_TIMEOUT = 519


class WireError(Exception):
    """A failed call: an IOTOS code and a message."""

    def __init__(self, code, msg):
        Exception.__init__(self, "code %d: %s" % (code, msg))
        self.code = code
        self.msg = msg


def encode(frame):
    """One frame as one line of bytes. NaN and infinities are refused:
    they are not JSON and the host would reject the whole line."""
    return (json.dumps(frame, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")


def decode(line):
    """Parse one line into a frame dict, or raise WireError(517)."""
    if len(line) > MAX_LINE:
        raise WireError(CODE_BAD_FRAME, "frame of %d bytes exceeds the limit" % len(line))
    try:
        frame = json.loads(line)
    except ValueError as e:
        raise WireError(CODE_BAD_FRAME, "bad frame %r: %s" % (line[:120], e))
    if not isinstance(frame, dict) or ("method" not in frame and "id" not in frame):
        raise WireError(CODE_BAD_FRAME, "bad frame %r: not a frame" % (line[:120],))
    return frame


class Peer(object):
    """One end of a wire connection.

    A reader thread routes replies to waiting callers and queues incoming
    requests and notifications; one worker thread serves them in order, so
    driver callbacks never run concurrently with each other. The queue is
    bounded: when it is full the reader stops reading and the host is slowed
    by the pipe.
    """

    def __init__(self, rfile, wfile, handler, queue_size=256):
        self._r = rfile
        self._w = wfile
        self._handler = handler
        self._wlock = threading.Lock()
        self._plock = threading.Lock()
        self._pending = {}
        self._next = 0
        self._closed = None
        self._inbox = queue.Queue(maxsize=queue_size)

    def send_hello(self, name):
        self.notify("hello", {"protocol": PROTOCOL, "version": VERSION, "driver": name})

    def notify(self, method, params=None):
        frame = {"method": method}
        if params is not None:
            frame["params"] = params
        self._write(frame)

    def call(self, method, params=None, timeout=30.0):
        """Send a request and wait for its result; raise WireError on failure."""
        slot = [threading.Event(), None]
        with self._plock:
            if self._closed is not None:
                raise WireError(CODE_NET_ERROR, "%s: %s" % (method, self._closed))
            self._next += 1
            rid = self._next
            self._pending[rid] = slot
        frame = {"id": rid, "method": method}
        if params is not None:
            frame["params"] = params
        self._write(frame)
        if not slot[0].wait(timeout):
            with self._plock:
                self._pending.pop(rid, None)
            raise WireError(CODE_TIMEOUT, "%s: no reply within %ss" % (method, timeout))
        reply = slot[1]
        err = reply.get("error")
        if err:
            raise WireError(int(err.get("code", CODE_UNKNOWN)), str(err.get("msg", "")))
        return reply.get("result")

    def _write(self, frame):
        data = encode(frame)
        with self._wlock:
            self._w.write(data)
            self._w.flush()

    def run(self):
        """Serve until the host closes stdin. Returns the reason it stopped."""
        worker = threading.Thread(target=self._work, name="iotos-calls", daemon=True)
        worker.start()
        reason = "host closed the connection"
        try:
            self._read()
        except WireError as e:
            reason = str(e)
        self._inbox.put(None)
        self._fail(reason)
        worker.join()
        return reason

    def _read(self):
        while True:
            line = self._r.readline(MAX_LINE + 2)
            if not line:
                return
            if len(line) > MAX_LINE + 1:
                raise WireError(CODE_BAD_FRAME, "line longer than %d bytes" % MAX_LINE)
            line = line.strip()
            if not line:
                continue
            frame = decode(line)
            if "method" in frame:
                self._inbox.put(frame)
            else:
                self._deliver(frame)

    def _deliver(self, frame):
        with self._plock:
            slot = self._pending.pop(frame.get("id"), None)
        if slot is not None:
            slot[1] = frame
            slot[0].set()

    def _fail(self, reason):
        with self._plock:
            self._closed = reason
            pending, self._pending = self._pending, {}
        for rid, slot in pending.items():
            slot[1] = {"id": rid, "error": {"code": CODE_NET_ERROR, "msg": reason}}
            slot[0].set()

    def _work(self):
        while True:
            frame = self._inbox.get()
            if frame is None:
                return
            self._serve(frame)

    def _serve(self, frame):
        rid = frame.get("id")
        try:
            result = self._handler(frame["method"], frame.get("params"))
            reply = {"id": rid, "result": result}
        except WireError as e:
            reply = {"id": rid, "error": {"code": e.code, "msg": e.msg}}
        except Exception as e:  # a driver bug must not kill the connection
            reply = {"id": rid, "error": {"code": CODE_UNKNOWN, "msg": "%s: %s" % (type(e).__name__, e)}}
        if not rid:
            if "error" in reply:
                _stderr("ERROR %s: %s" % (frame["method"], reply["error"]["msg"]))
            return
        try:
            self._write(reply)
        except ValueError as e:  # NaN in a result
            self._write({"id": rid, "error": {"code": CODE_UNKNOWN, "msg": "result is not JSON: %s" % e}})


def _stderr(line):
    sys.stderr.write(line.replace("\n", " | ") + "\n")
    sys.stderr.flush()

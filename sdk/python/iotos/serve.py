"""Serve an IOTOSDriverI over the wire: each host call becomes the original
callback it mirrors."""

import json
import threading

from . import wire
from .collect import Collector


def parse_envelope(reply, what):
    """A callback's envelope, given as a dict or a JSON string (decoded
    once). Anything else is code 517."""
    env = reply
    if isinstance(reply, (str, bytes)):
        try:
            env = json.loads(reply)
        except ValueError:
            env = None
    if not isinstance(env, dict) or not isinstance(env.get("code"), int) or isinstance(env.get("code"), bool):
        raise wire.WireError(wire.CODE_BAD_FRAME, "%s returned %r, not a {code,msg,data} envelope" % (what, reply))
    return {"code": env["code"], "msg": str(env.get("msg", "")), "data": env.get("data")}


class Server(object):
    """Maps wire methods to driver callbacks, one at a time."""

    def __init__(self, drv):
        self.drv = drv
        self.lock = threading.RLock()
        self.collector = None
        self.peer = None

    def handle(self, method, params):
        fn = getattr(self, "on_" + method, None)
        if fn is None:
            raise wire.WireError(wire.CODE_ARG_ERROR, "unknown method %r" % method)
        return fn(params or {})

    def on_init(self, p):
        self.drv._attach(self.peer, p.get("device") or {})

    def on_connect(self, p):
        with self.lock:
            try:
                self.drv.InitComm(self.drv.sysAttrs)
            except Exception as e:
                raise wire.WireError(wire.CODE_NET_ERROR, "InitComm: %s: %s" % (type(e).__name__, e))
            self.drv.connectEvent(True)
        if self.collector is None:
            self.collector = Collector(self.drv, self.lock)
            self.collector.start()

    def on_read(self, p):
        # The collection loop pushes its values with set_values as it reads
        # them, so a poll has nothing left to return.
        return []

    def on_write(self, p):
        with self.lock:
            reply = self.drv.Event_setData(p.get("point"), p.get("value"))
        return parse_envelope(reply, "Event_setData")

    def on_read_now(self, p):
        point = p.get("point")
        with self.lock:
            reply = self.drv.Event_getData(point, None)
        env = parse_envelope(reply, "Event_getData")
        if env["code"] != 0:
            raise wire.WireError(env["code"], env["msg"])
        return self.drv._sample(point, env["data"])

    def on_broadcast(self, p):
        with self.lock:
            reply = self.drv.Event_customBroadcast(p.get("from", ""), p.get("type", ""), p.get("data"))
        return parse_envelope(reply, "Event_customBroadcast")

    def on_subscribed(self, p):
        with self.lock:
            self.drv.Event_syncPubMsg(p.get("point"), (p.get("sample") or {}).get("value"))

    def on_close(self, p):
        if self.collector is not None:
            self.collector.close()
        with self.lock:
            self.drv.connectEvent(False)

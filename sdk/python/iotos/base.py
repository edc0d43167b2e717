"""IOTOSDriverI: the base class of a Python driver, with the original
IOTOS SDK's names. Subclass it and override the callbacks you need."""

import json
import math
import sys
import threading
import time
from collections.abc import Mapping

from . import wire
from .attrs import device_attrs, point_attrs

_TYPES = ("BOOL", "INT", "FLOAT", "STRING")


def envelope(code=0, msg="ok", data=None):
    """An IOTOS reply envelope."""
    return {"code": code, "msg": msg, "data": data}


class IOTOSDriverI(object):
    """Base class of IOTOS Python drivers.

    The engine sets ``sysId`` (device ID), ``sysAttrs`` (device config),
    ``data2attrs`` (point ID -> attributes), ``data2subs`` (point ID ->
    IDs of the devices subscribed to it, asked of the engine on each look-up
    so it follows table changes) and ``name2dataId`` before ``InitComm`` is
    called.
    """

    def __init__(self):
        self.sysId = ""
        self.sysAttrs = {}
        self.data2attrs = {}
        self.data2subs = _Subscribers(self)
        self.name2dataId = {}
        self.gatewayId = ""
        self._peer = None
        self._pause = threading.Event()  # set = paused
        self._one_circle = False
        self._wake = threading.Condition()
        self._order = []

    # ----- callbacks a driver overrides -------------------------------------

    def InitComm(self, attrs):
        """Connect and initialise. attrs is sysAttrs."""

    def Collecting(self, dataId):
        """Read one point: () = nothing to report, None = failure, (v,) or
        (v0, v1, ...) = values of the point and of its proxies."""
        return ()

    def Event_setData(self, dataId, value):
        """A write from the platform; return an envelope."""
        return envelope(101, "%s does not write points" % type(self).__name__)

    def Event_getData(self, dataId, condition):
        """An on-demand read; return an envelope whose data is the value."""
        return envelope(101, "%s does not read on demand" % type(self).__name__)

    def Event_customBroadcast(self, fromUuid, type, data):
        """A gateway-wide message; return an envelope. fromUuid names the
        sender: "user:<name>" for a platform user."""
        return envelope(data=None)

    def Event_syncPubMsg(self, point, value):
        """A value of a point this device subscribes to ("dev.pt")."""

    def connectEvent(self, state):
        """The link to the engine went up (True) or down (False)."""

    # ----- helpers a driver calls -------------------------------------------

    def setValue(self, name, value, timestamp=None):
        """Report one value. timestamp is Unix seconds (time.time()); a value
        above 1e11 is taken as milliseconds; None means now."""
        return self.setValues([{"id": name, "value": value, "timestamp": timestamp}])

    def setValues(self, values):
        """Report several values: [{"id": name_or_id, "value": v, "timestamp": t}]."""
        samples = [self._sample(v.get("id") or v.get("name"), v.get("value"), v.get("timestamp")) for v in values]
        self._peer.notify("set_values", {"samples": samples})
        return envelope()

    def value(self, name, source="memory"):
        """The current value of a point: "pt", "dev.pt", by ID or name.
        source is "memory", "device" or "platform"."""
        s = self._peer.call("value", {"name": self.id(name), "source": source})
        return (s or {}).get("value")

    def valueTyped(self, dataId, text):
        """Parse text into the point's type, refusing what does not fit
        cleanly ("3.5" is not an INT, "0" is False)."""
        t = self.data2attrs.get(self.id(dataId), {}).get("valuetype", "STRING")
        return convert(t, text)

    def id(self, name):
        """A point name (or ID) to its ID; "dev.pt" names pass unchanged."""
        if name in self.data2attrs:
            return name
        return self.name2dataId.get(name, name)

    def name(self, dataId):
        """A point ID to its name."""
        return self.data2attrs.get(dataId, {}).get("name", dataId)

    def pointId(self, dataId):
        """The full point ID: gateway.device.point."""
        return "%s.%s.%s" % (self.gatewayId, self.sysId, self.id(dataId))

    def subscribers(self, dataId):
        """IDs of the devices subscribed to a point of this device."""
        return list(self.data2subs.get(self.id(dataId), []))

    def online(self, state):
        self._peer.notify("online", {"online": bool(state)})

    def setPauseCollect(self, paused):
        """Pause (True) or resume (False) the collection loop."""
        if paused:
            self._pause.set()
        else:
            self._pause.clear()
        with self._wake:
            self._wake.notify_all()

    def setCollectingOneCircle(self, one):
        """When True, the loop runs one more pass and then pauses."""
        self._one_circle = bool(one)
        if one:
            self.setPauseCollect(False)

    def debug(self, msg):
        _log("DEBUG", msg)

    def info(self, msg):
        _log("INFO", msg)

    def warn(self, msg):
        _log("WARN", msg)

    def error(self, msg):
        _log("ERROR", msg)

    # ----- engine side ------------------------------------------------------

    def _attach(self, peer, dev):
        self._peer = peer
        self.sysId = dev.get("id", "")
        self.gatewayId = dev.get("gateway", "")
        self.sysAttrs = device_attrs(dev)
        self.data2attrs = {}
        self.name2dataId = {}
        self._order = []
        for p in dev.get("points") or []:
            self.data2attrs[p["id"]] = point_attrs(p)
            self._order.append(p["id"])
            if p.get("name"):
                self.name2dataId[p["name"]] = p["id"]

    def _sample(self, name, value, timestamp=None, quality=None, code=0):
        s = {"point": self.id(name), "value": value}
        if timestamp is not None:
            ts = float(timestamp)
            s["ts"] = int(ts if ts > 1e11 else ts * 1000)
        else:
            s["ts"] = int(time.time() * 1000)
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            s["value"], quality, code = None, "bad", 516
        if quality:
            s["quality"] = quality
        if code:
            s["code"] = code
        return s


class _Subscribers(Mapping):
    """data2subs: point ID -> IDs of the devices subscribed to it. Each
    look-up asks the engine, which knows every device's subscriptions."""

    def __init__(self, drv):
        self._drv = drv

    def __getitem__(self, dataId):
        if dataId not in self._drv.data2attrs:
            raise KeyError(dataId)
        if self._drv._peer is None:
            return []
        return self._drv._peer.call("subscribers", {"name": dataId}) or []

    def __iter__(self):
        return iter(self._drv.data2attrs)

    def __len__(self):
        return len(self._drv.data2attrs)


def _log(level, msg):
    text = str(msg).replace("\r", " ").replace("\n", " | ")
    sys.stderr.write("%s %s\n" % (level, text))
    sys.stderr.flush()


def convert(t, v):
    """Convert v to type t (BOOL/INT/FLOAT/STRING) as the host does."""
    t = (t or "STRING").upper()
    if t == "STRING":
        return v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v)
    if t == "BOOL":
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)) and v in (0, 1):
            return v == 1
        if isinstance(v, str) and v.strip().lower() in ("true", "1", "on", "false", "0", "off"):
            return v.strip().lower() in ("true", "1", "on")
    elif t == "INT":
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v == int(v):
            return int(v)
        if isinstance(v, str):
            try:
                return int(v.strip(), 10)
            except ValueError:
                pass
    elif t == "FLOAT":
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = None
        if f is not None and not math.isnan(f) and not math.isinf(f):
            return f
    raise wire.WireError(516, "%r is not a valid %s" % (v, t))

"""The original IOTOS collection loop, kept for drivers written against it.

Points are visited in table order; before each, the loop waits the point's
``refreshcycle`` (ms). ``Collecting`` returns a tuple: ``()`` reports
nothing, ``None`` is a failure, ``(v0, v1, ...)`` reports the point and the
points proxied to it (``config.proxy.pointer`` = this point, ``index`` = i).
Proxy targets are filled from their pointer's tuple, never visited. A pass
takes at least the device's minimum cycle (``config.param.mincycle`` ms,
default 100) so a table of ``refreshcycle`` "0" never spins.
"""

import threading
import time

FAILURES_OFFLINE = 3  # consecutive failed points before the device is offline
DEFAULT_MIN_CYCLE_MS = 100


class Collector(object):
    """Runs a driver's Collecting in a thread of its own."""

    def __init__(self, drv, lock):
        self.drv = drv
        self.lock = lock  # held around every driver callback
        self.stop = threading.Event()
        self.failures = 0  # failed Collecting calls, in total
        self._streak = 0
        self._offline = False
        self._thread = None
        self._plan = self._build_plan()
        param = drv.sysAttrs.get("config", {}).get("param") or {}
        self.min_cycle = max(int(param.get("mincycle", DEFAULT_MIN_CYCLE_MS)), 1) / 1000.0

    def _build_plan(self):
        """[(pointId, refreshcycle s, {index: proxyId})] in table order."""
        proxies = {}
        for pid in self.drv._order:
            proxy = self.drv.data2attrs[pid]["config"].get("proxy")
            if proxy and proxy.get("pointer"):
                proxies.setdefault(proxy["pointer"], {})[int(proxy.get("index", 0))] = pid
        plan = []
        for pid in self.drv._order:
            a = self.drv.data2attrs[pid]
            if a["config"].get("proxy") or a["readwrite"] == "2":
                continue
            plan.append((pid, int(a["refreshcycle"] or 0) / 1000.0, proxies.get(pid, {})))
        return plan

    def start(self):
        if self._plan:
            self._thread = threading.Thread(target=self._run, name="iotos-collect", daemon=True)
            self._thread.start()

    def close(self):
        self.stop.set()
        with self.drv._wake:
            self.drv._wake.notify_all()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self):
        while not self.stop.is_set():
            self._wait_unpaused()
            if self.stop.is_set():
                return
            began = time.monotonic()
            self._pass()
            if self.drv._one_circle:
                self.drv._one_circle = False
                self.drv.setPauseCollect(True)
            rest = self.min_cycle - (time.monotonic() - began)
            if rest > 0:
                self.stop.wait(rest)

    def _wait_unpaused(self):
        with self.drv._wake:
            while self.drv._pause.is_set() and not self.stop.is_set():
                self.drv._wake.wait()

    def _pass(self):
        for pid, cycle, proxies in self._plan:
            if self.stop.is_set() or self.drv._pause.is_set():
                return
            if cycle > 0 and self.stop.wait(cycle):
                return
            self._collect(pid, proxies)

    def _collect(self, pid, proxies):
        try:
            with self.lock:
                result = self.drv.Collecting(pid)
        except Exception as e:
            self.drv.error("Collecting(%s): %s: %s" % (pid, type(e).__name__, e))
            result = None
        if result is None:
            self._failed(pid, proxies)
            return
        if not isinstance(result, (tuple, list)):
            result = (result,)
        if len(result) == 0:
            return
        samples = [self.drv._sample(pid, result[0])]
        for i, target in sorted(proxies.items()):
            if i < len(result):
                samples.append(self.drv._sample(target, result[i]))
        self.drv._peer.notify("set_values", {"samples": samples})
        self._succeeded()

    def _failed(self, pid, proxies):
        self.failures += 1
        self._streak += 1
        bad = [self.drv._sample(p, None, quality="bad", code=504) for p in [pid] + list(proxies.values())]
        self.drv._peer.notify("set_values", {"samples": bad})
        if self._streak >= FAILURES_OFFLINE and not self._offline:
            self._offline = True
            self.drv.online(False)

    def _succeeded(self):
        self._streak = 0
        if self._offline:
            self._offline = False
            self.drv.online(True)

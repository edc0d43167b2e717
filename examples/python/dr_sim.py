"""A simulator driver written for the IOTOS Python SDK.

Device config: {"driver": "python/dr_sim.SimDriver", "param": {"seed": 1}}.
Point config.param.wave picks the signal: "sine" (default), "ramp",
"random" or "const" (with "value"). A point whose param has "block": n
returns n values at once, filling its proxies (config.proxy) as a batch
read does. Writes set a point to a constant; Event_getData reads now.
"""

import math
import random
import time

from driver import *


class SimDriver(IOTOSDriverI):
    def InitComm(self, attrs):
        param = attrs["config"]["param"]
        self.rng = random.Random(param.get("seed", 0))
        self.started = time.time()
        self.forced = {}
        self.online(True)
        self.setPauseCollect(False)

    def _signal(self, dataId, offset=0):
        if dataId in self.forced:
            return self.forced[dataId]
        param = self.data2attrs[dataId]["config"]["param"]
        t = time.time() - self.started + offset
        wave = param.get("wave", "sine")
        if wave == "ramp":
            v = t % 100
        elif wave == "random":
            v = self.rng.uniform(0, 100)
        elif wave == "const":
            v = param.get("value", 0)
        else:
            v = 50 + 50 * math.sin(t / 10.0)
        return self.valueTyped(dataId, v if self.data2attrs[dataId]["valuetype"] != "INT" else round(v))

    def Collecting(self, dataId):
        block = int(self.data2attrs[dataId]["config"]["param"].get("block", 1))
        return tuple(self._signal(dataId, i) for i in range(block))

    def Event_setData(self, dataId, value):
        self.forced[dataId] = self.valueTyped(dataId, value)
        self.setValue(dataId, self.forced[dataId])
        return {"code": 0, "msg": "ok", "data": value}

    def Event_getData(self, dataId, condition):
        return {"code": 0, "msg": "ok", "data": self._signal(dataId)}

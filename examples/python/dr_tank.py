# -*- coding: utf-8 -*-
"""A tank written the way drivers for the original IOTOS SDK were.

Device config: {"driver": "python/dr_tank.TankDriver", "param": {"capacity": 80}}.

Point names the driver knows:
  level     FLOAT  the tank level; its Collecting tuple also fills the
                   points whose config.proxy.pointer is level:
                   index 1 the number of collection passes (INT),
                   index 2 whether the pump runs (BOOL)
  setpoint  FLOAT  read-write; Event_setData accepts 0..capacity and answers
                   with the original's JSON-string envelope; above capacity
                   it refuses with its own code 1003 and the limit in data
Writes to any other point are refused with code 515.
"""

import json

from driver import *


class TankDriver(IOTOSDriverI):
    def InitComm(self, attrs):
        self.capacity = float(attrs["config"]["param"].get("capacity", 100))
        self.level = 12.5
        self.passes = 0
        self.setpoint = None
        self.online(True)
        self.setPauseCollect(False)

    def Collecting(self, dataId):
        name = self.name(dataId)
        if name == "level":
            self.passes += 1
            return (self.level, self.passes, self.passes % 2 == 1)
        if name == "setpoint":
            if self.setpoint is None:
                return ()
            return (self.setpoint,)
        return None

    def Event_setData(self, dataId, value):
        if self.name(dataId) != "setpoint":
            return json.dumps({"code": 515, "msg": "%s is read-only" % self.name(dataId), "data": None})
        value = float(value)
        if value > self.capacity:
            return json.dumps({"code": 1003, "msg": "setpoint above the tank's capacity",
                               "data": {"capacity": self.capacity, "asked": value}})
        self.setpoint = value
        self.level = value / 2
        self.setValue("setpoint", value)
        return json.dumps({"code": 0, "msg": "setpoint accepted by the tank",
                           "data": {"point": dataId, "setpoint": value, "level": self.level}})

"""Hello world: the smallest IOTOS Python driver.

Device config: {"driver": "python/hello.HelloDriver"}. Every point reads
"hello, <point name>"; a write is echoed back.
"""

from driver import *


class HelloDriver(IOTOSDriverI):
    def InitComm(self, attrs):
        self.info("hello driver for %s" % self.sysAttrs["name"])
        self.online(True)

    def Collecting(self, dataId):
        return ("hello, %s" % self.name(dataId),)

    def Event_setData(self, dataId, value):
        return {"code": 0, "msg": "ok", "data": {"echo": value}}

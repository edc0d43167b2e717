import io
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from iotos import IOTOSDriverI, WireError, convert  # noqa: E402
from iotos import wire  # noqa: E402
from iotos.collect import Collector  # noqa: E402
from iotos.serve import parse_envelope  # noqa: E402
from iotos.run import serve  # noqa: E402


class FakePeer(object):
    def __init__(self):
        self.notes = []
        self.cond = threading.Condition()

    def notify(self, method, params=None):
        with self.cond:
            self.notes.append((method, params))
            self.cond.notify_all()

    def wait_for(self, pred, timeout=10):
        with self.cond:
            return self.cond.wait_for(lambda: pred(self.notes), timeout)


def device(points, param=None):
    return {"gateway": "g" * 32, "id": "0000000a", "name": "dev", "driver": "python/x.X",
            "config": param or {}, "points": points}


def point(pid, name, typ="FLOAT", access="r", interval=0, proxy=None, config=None):
    p = {"id": pid, "name": name, "type": typ, "access": access, "interval_ms": interval, "config": config or {}}
    if proxy:
        p["proxy"] = proxy
    return p


class WireTest(unittest.TestCase):
    def test_round_trip(self):
        f = {"id": 3, "method": "read", "params": {"points": ["0001"]}}
        self.assertEqual(wire.decode(wire.encode(f).strip()), f)

    def test_junk_is_517(self):
        with self.assertRaises(WireError) as cm:
            wire.decode(b"hello world")
        self.assertEqual(cm.exception.code, 517)
        with self.assertRaises(WireError):
            wire.decode(b"[1,2]")

    def test_nan_refused(self):
        with self.assertRaises(ValueError):
            wire.encode({"method": "x", "params": float("nan")})


class ConvertTest(unittest.TestCase):
    def test_clean_parsing(self):
        self.assertIs(convert("BOOL", "0"), False)
        self.assertEqual(convert("INT", "42"), 42)
        self.assertEqual(convert("FLOAT", "3.5"), 3.5)
        for t, v in (("INT", "3.5"), ("BOOL", "2"), ("FLOAT", "nan")):
            with self.assertRaises(WireError):
                convert(t, v)


class EnvelopeTest(unittest.TestCase):
    def test_dict_and_string_decoded_once(self):
        env = {"code": 1001, "msg": "mine", "data": {"a": 1}}
        self.assertEqual(parse_envelope(env, "x"), env)
        self.assertEqual(parse_envelope(json.dumps(env), "x"), env)
        inner = json.dumps({"k": "v"})
        self.assertEqual(parse_envelope({"code": 0, "msg": "", "data": inner}, "x")["data"], inner)

    def test_not_an_envelope(self):
        for bad in ("nope", 5, {"msg": "no code"}, None):
            with self.assertRaises(WireError) as cm:
                parse_envelope(bad, "Event_setData")
            self.assertEqual(cm.exception.code, 517)


class Batch(IOTOSDriverI):
    def Collecting(self, dataId):
        if dataId == "0001":
            return (1.0, 2.0, 3.0)
        if dataId == "0005":
            return None
        return ()


class CollectTest(unittest.TestCase):
    def make(self, drv, points, param=None):
        peer = FakePeer()
        drv._attach(peer, device(points, param))
        return peer, Collector(drv, threading.RLock())

    def test_proxies_filled_from_pointer(self):
        pts = [point("0001", "a"), point("0002", "b", proxy={"pointer": "0001", "index": 2}),
               point("0003", "c", proxy={"pointer": "0001", "index": 1}), point("0004", "d")]
        drv = Batch()
        peer, col = self.make(drv, pts)
        self.assertEqual([p[0] for p in col._plan], ["0001", "0004"])
        col._pass()
        sets = [n[1]["samples"] for n in peer.notes if n[0] == "set_values"]
        self.assertEqual(len(sets), 1)  # () from 0004 reports nothing
        got = {s["point"]: s["value"] for s in sets[0]}
        self.assertEqual(got, {"0001": 1.0, "0003": 2.0, "0002": 3.0})

    def test_failures_mark_offline(self):
        drv = Batch()
        peer, col = self.make(drv, [point("0005", "bad")])
        for _ in range(3):
            col._pass()
        self.assertEqual(col.failures, 3)
        self.assertIn(("online", {"online": False}), peer.notes)
        bad = [s for n in peer.notes if n[0] == "set_values" for s in n[1]["samples"]]
        self.assertTrue(all(s["quality"] == "bad" and s["code"] == 504 for s in bad))

    def test_pause_and_one_circle(self):
        class Counting(IOTOSDriverI):
            calls = 0

            def Collecting(self, dataId):
                Counting.calls += 1
                return (Counting.calls,)

        drv = Counting()
        peer, col = self.make(drv, [point("0001", "a")], {"mincycle": 1})
        drv.setCollectingOneCircle(True)
        col.start()
        self.assertTrue(peer.wait_for(lambda notes: len(notes) >= 1))
        time.sleep(0.2)
        col.close()
        self.assertEqual(Counting.calls, 1)

    def test_zero_refreshcycle_does_not_spin(self):
        class Counting(IOTOSDriverI):
            calls = 0

            def Collecting(self, dataId):
                Counting.calls += 1
                return ()

        drv = Counting()
        peer, col = self.make(drv, [point("0001", "a")], {"mincycle": 200})
        col.start()
        time.sleep(0.5)
        col.close()
        self.assertLessEqual(Counting.calls, 4)  # 200 ms cycles in 0.5 s: 3, never thousands


class Echo(IOTOSDriverI):
    def InitComm(self, attrs):
        self.online(True)

    def Event_setData(self, dataId, value):
        other = self.value("0002")
        return json.dumps({"code": 1002, "msg": "echo", "data": [dataId, value, other]})


class Subscribed(IOTOSDriverI):
    def Event_customBroadcast(self, fromUuid, type, data):
        return {"code": 0, "msg": "ok", "data": [fromUuid, type, self.subscribers("a"), dict(self.data2subs)]}


class ServeTest(unittest.TestCase):
    def test_broadcast_sender_and_live_subscribers(self):
        h_r, d_w = os.pipe()
        d_r, h_w = os.pipe()
        t = threading.Thread(target=serve, args=(Subscribed(), "subs", os.fdopen(d_r, "rb"), os.fdopen(d_w, "wb")))
        t.start()
        hr, hw = os.fdopen(h_r, "rb"), os.fdopen(h_w, "wb")
        json.loads(hr.readline())  # hello

        def send(f):
            hw.write(wire.encode(f))
            hw.flush()

        send({"id": 1, "method": "init", "params": {"device": device([point("0001", "a")])}})
        self.assertEqual(json.loads(hr.readline()), {"id": 1, "result": None})
        send({"id": 2, "method": "broadcast", "params": {"from": "user:ops", "type": "sync", "data": {}}})
        for answer in (["0000000b", "0000000c"], ["0000000c"]):
            ask = json.loads(hr.readline())
            self.assertEqual((ask["method"], ask["params"]), ("subscribers", {"name": "0001"}))
            send({"id": ask["id"], "result": answer})
        reply = json.loads(hr.readline())
        self.assertEqual(reply, {"id": 2, "result": {"code": 0, "msg": "ok", "data": [
            "user:ops", "sync", ["0000000b", "0000000c"], {"0001": ["0000000c"]}]}})
        hw.close()
        t.join(10)
        self.assertFalse(t.is_alive())
        hr.close()

    def test_calls_both_ways(self):
        h_r, d_w = os.pipe()
        d_r, h_w = os.pipe()
        drv = Echo()
        t = threading.Thread(target=serve, args=(drv, "echo", os.fdopen(d_r, "rb"), os.fdopen(d_w, "wb")))
        t.start()
        hr, hw = os.fdopen(h_r, "rb"), os.fdopen(h_w, "wb")
        hello = json.loads(hr.readline())
        self.assertEqual(hello["params"], {"protocol": "iotos-wire", "version": 1, "driver": "echo"})

        def send(f):
            hw.write(wire.encode(f))
            hw.flush()

        send({"id": 1, "method": "init", "params": {"device": device([point("0001", "a", access="rw")])}})
        self.assertEqual(json.loads(hr.readline()), {"id": 1, "result": None})
        send({"id": 2, "method": "write", "params": {"point": "0001", "value": 7}})
        ask = json.loads(hr.readline())
        self.assertEqual(ask["method"], "value")
        send({"id": ask["id"], "result": {"point": "0002", "value": "x"}})
        reply = json.loads(hr.readline())
        self.assertEqual(reply, {"id": 2, "result": {"code": 1002, "msg": "echo", "data": ["0001", 7, "x"]}})
        hw.close()
        t.join(10)
        self.assertFalse(t.is_alive())
        hr.close()


if __name__ == "__main__":
    unittest.main()

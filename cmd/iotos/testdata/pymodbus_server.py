"""A Modbus server built on pymodbus, an implementation independent of ours.

The end-to-end tests poll it through the modbus driver and write to it
through the REST API. It serves Modbus TCP on 127.0.0.1:PORT (--tcp) or
Modbus RTU on a serial device (--rtu), for the units named with --unit, each
with the register and coil image below (u is the unit ID, so every unit
holds different values and a request routed to the wrong unit shows):

    holding 0-1    float32 ABCD   21.5 * u
    holding 2-3    float32 CDAB   -3.25 * u
    holding 4      int16          -1234 * u
    holding 6-7    uint32 ABCD    305419896 * u
    holding 10-11  float32 CDAB   0.0 (a setpoint the tests write)
    holding 12     int16          0 (a limit the tests write)
    coil 0         u is odd
    coil 1         u is even
    coil 2         off (a valve the tests write)

The words are laid out here with Python's struct, not with any code of
ours. Everything else reads as 0 up to address 99.

Stdout, one line each, flushed:

    ready                              listening (TCP) or the port is open (RTU)
    request UNIT FC                    a request was handled (a unit not served
                                       gets no answer)
    write UNIT holding|coil ADDR V...  a request changed registers or coils
    overlap UNIT FC                    bytes of another request arrived before
                                       this one was answered: two requests were
                                       on a serial line at once

The server exits when its stdin closes, so it never outlives the test that
started it.
"""

import argparse
import asyncio
import os
import struct
import sys
import threading
import time

try:
    from pymodbus.datastore import (
        ModbusSequentialDataBlock,
        ModbusServerContext,
        ModbusSlaveContext,
    )
    from pymodbus.framer.rtu_framer import ModbusRtuFramer
    from pymodbus.framer.socket_framer import ModbusSocketFramer
    from pymodbus.server.async_io import (
        ModbusConnectedRequestHandler,
        ModbusSerialServer,
        ModbusSingleRequestHandler,
        ModbusTcpServer,
    )
except ImportError as exc:
    print(
        f"pymodbus is missing ({exc}): apt-get install python3-pymodbus "
        "python3-serial python3-serial-asyncio",
        file=sys.stderr,
    )
    sys.exit(3)

SIZE = 100


def say(*words):
    print(*words, flush=True)


def words(fmt, value):
    """Registers of value packed big-endian with struct format fmt."""
    raw = struct.pack(">" + fmt, value)
    return list(struct.unpack(">%dH" % (len(raw) // 2), raw))


def image(u):
    """The holding registers and coils of unit u."""
    hr = [0] * SIZE
    hr[0:2] = words("f", 21.5 * u)
    hr[2:4] = list(reversed(words("f", -3.25 * u)))  # CDAB: low word first
    hr[4:5] = words("h", -1234 * u)
    hr[6:8] = words("I", 305419896 * u)
    co = [False] * SIZE
    co[0], co[1] = u % 2 == 1, u % 2 == 0
    return hr, co


class UnitContext(ModbusSlaveContext):
    """One unit's memory, reporting every change on stdout."""

    def __init__(self, unit):
        hr, co = image(unit)
        super().__init__(
            di=ModbusSequentialDataBlock(0, [False] * SIZE),
            co=ModbusSequentialDataBlock(0, co),
            hr=ModbusSequentialDataBlock(0, hr),
            ir=ModbusSequentialDataBlock(0, [0] * SIZE),
            zero_mode=True,
        )
        self.unit = unit

    def setValues(self, fc_as_hex, address, values):
        super().setValues(fc_as_hex, address, values)
        area = {"h": "holding", "c": "coil"}.get(self.decode(fc_as_hex), "other")
        shown = [str(int(v)) for v in values]
        say("write", self.unit, area, address, *shown)


class Observed:
    """Answers each request after delay seconds, first noting whether bytes
    of another request are already waiting: on a serial line that means the
    master did not wait for this answer."""

    delay = 0.0

    def execute(self, request, *addr):
        if self.delay:
            time.sleep(self.delay)  # a slow device: the loop is busy meanwhile
        if self.waiting():
            say("overlap", request.unit_id, request.function_code)
        super().execute(request, *addr)
        say("request", request.unit_id, request.function_code)

    def waiting(self):
        if len(getattr(self.framer, "_buffer", b"")) or not self.receive_queue.empty():
            return True
        port = getattr(self.transport, "serial", None)
        return port is not None and port.in_waiting > 0


class TcpHandler(Observed, ModbusConnectedRequestHandler):
    pass


class SerialHandler(Observed, ModbusSingleRequestHandler):
    pass


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


async def serve(args):
    context = ModbusServerContext(
        slaves={u: UnitContext(u) for u in args.unit}, single=False
    )
    if args.tcp:
        host, port = args.tcp.rsplit(":", 1)
        TcpHandler.delay = args.delay_ms / 1000
        server = ModbusTcpServer(
            context,
            framer=ModbusSocketFramer,
            address=(host, int(port)),
            handler=TcpHandler,
            allow_reuse_address=True,
            ignore_missing_slaves=True,
        )
        task = asyncio.create_task(server.serve_forever())
        await asyncio.wait(
            [server.serving, task], return_when=asyncio.FIRST_COMPLETED
        )
        if task.done():
            task.result()  # serve_forever failed: raise its error
            raise SystemExit("the TCP server stopped before listening")
    else:
        SerialHandler.delay = args.delay_ms / 1000
        server = ModbusSerialServer(
            context,
            framer=ModbusRtuFramer,
            port=args.rtu,
            baudrate=args.baud,
            handler=SerialHandler,
            ignore_missing_slaves=True,
        )
        await server.start()
        if server.transport is None:
            raise SystemExit(f"cannot open {args.rtu}")
    say("ready")
    await asyncio.Event().wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", metavar="HOST:PORT")
    where.add_argument("--rtu", metavar="DEVICE")
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--unit", type=int, action="append", required=True)
    p.add_argument("--delay-ms", type=float, default=0)
    args = p.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()

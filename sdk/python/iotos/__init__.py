"""IOTOS Python driver SDK (stdlib only, Python >= 3.8).

Subclass ``IOTOSDriverI`` and override ``InitComm``, ``Collecting`` and the
``Event_*`` callbacks; the engine runs the class with
``python3 -m iotos.run <module> <Class>``.
"""

from .base import IOTOSDriverI, convert, envelope
from .wire import WireError

__all__ = ["IOTOSDriverI", "WireError", "convert", "envelope"]

"""Compatibility module: drivers written for the original IOTOS SDK begin
with ``from driver import *``."""

from iotos import *  # noqa: F401,F403
from iotos import __all__  # noqa: F401

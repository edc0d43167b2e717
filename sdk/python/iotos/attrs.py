"""Translate the host's device description into the original IOTOS shapes
(sysAttrs, data2attrs, name2dataId) that drivers written for the original
SDK read."""

_READWRITE = {"rw": "0", "r": "1", "w": "2"}


def _num(v):
    return "" if v is None else str(v)


def point_attrs(p):
    """One point as the original's data2attrs entry."""
    cfg = {"param": p.get("config") or {}}
    if p.get("proxy"):
        cfg["proxy"] = dict(p["proxy"])
    default = p.get("default")
    return {
        "id": p["id"],
        "name": p.get("name", ""),
        "description": p.get("description", ""),
        "valuetype": p.get("type", "STRING"),
        "readwrite": _READWRITE.get(p.get("access", "r"), "1"),
        "defaultvalue": "" if default is None else default,
        "minvalue": _num(p.get("min")),
        "maxvalue": _num(p.get("max")),
        "regexp": p.get("pattern", ""),
        "refreshcycle": str(int(p.get("interval_ms") or 0)),
        "unit": p.get("unit", ""),
        "config": cfg,
    }


def device_attrs(dev):
    """The device as the original's sysAttrs."""
    return {
        "id": dev.get("id", ""),
        "name": dev.get("name", ""),
        "description": "",
        "config": {
            "driver": dev.get("driver", ""),
            "param": dev.get("config") or {},
            "sub": list(dev.get("subscribe") or []),
        },
    }

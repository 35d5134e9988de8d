"""Deploy-file values as the image gets them."""

from __future__ import annotations

import math
from typing import Any


def env_text(value: Any) -> str:
    """What the Docker SDK's Dockerfile template makes of a value (PHP string conversion)."""
    if isinstance(value, bool):
        return "1" if value else ""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        if math.isnan(value):
            return "NAN"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace("e+", "E+").replace("e-", "E-")
    return str(value)

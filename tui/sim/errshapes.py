"""Error answers the way other servers send them (issue 16): inside an HTTP 200, or as a
bare status with an empty body (the vendor's sample servers answer errors that way).

Chosen like the success shapes, by a fault rule's `shape` (faults.py, variants.py); each
applies to every error answer of the matching requests (a refused token, a bad parameter,
an injected `status`), and leaves successful answers as they are:

err200_code     HTTP 200, {"code": <status>, "message": "..."}
err200_msg      HTTP 200, {"code": <status>, "msg": "..."}
err200_success  HTTP 200, {"success": false, "message": "..."}
empty_error     the error status, an empty body
"""

from __future__ import annotations

from typing import Any

ERROR_SHAPES = ("err200_code", "err200_msg", "err200_success", "empty_error")


def shape_error(status: int, obj: Any, shape: str) -> tuple[int, Any]:
    """(status, body) of an error answer in `shape`; bytes are sent as they are."""
    message = obj.get("message", "") if isinstance(obj, dict) else ""
    if shape == "err200_code":
        return 200, {"code": status, "message": message}
    if shape == "err200_msg":
        return 200, {"code": status, "msg": message}
    if shape == "err200_success":
        return 200, {"success": False, "message": message}
    if shape == "empty_error":
        return status, b""
    return status, obj

"""The registry: endpoint path name -> the function that renders its body.

    @renders("boxscoremiscv3")
    def box_score_misc(sim: Responder, params: dict) -> Reply: ...

The name is the endpoint's path on stats.nba.com (``/stats/<name>``), which is the
catalogue's ``api_name`` (pipeline/nba/endpoints.py) for the endpoints the pipeline uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..bodies import Responder
    from .common import Reply

    Renderer = Callable[[Responder, dict], Reply]

RENDERERS: dict[str, Renderer] = {}


def renders(name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer of /stats/<name>."""

    def register(function: Renderer) -> Renderer:
        if name in RENDERERS:
            raise ValueError(f"two renderers for {name!r}")
        RENDERERS[name] = function
        return function

    return register

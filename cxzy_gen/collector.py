"""Python's cyclic garbage collector around the objects a build keeps to its end.

A build makes millions of objects that live until it ends (the typed records, their views, the pages): each
collection of the oldest generation walks all of them again, and at 师 scale that was 40 % of a rebuild's CPU.
Making them makes no cyclic garbage (measured: nothing but a few closures while the pages are planned), so the
collector is paused while they are made and then told to leave them out of later collections (`gc.freeze`);
it runs as usual while the pages render (Jinja2's macros leave cycles behind), and is paused again while they are
hashed (`reuse.page_hashes`: no cycles either). Both are undone when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No collections inside the block (nested blocks are fine)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def long_lived() -> Iterator[Callable[[], None]]:
    """No collections until the block calls what it is given (`settled()`, once the long-lived objects are made):
    from then on collections run again but leave every object made so far alone. Undone when the block ends."""
    was = gc.isenabled()
    frozen = False
    gc.disable()

    def settled() -> None:
        nonlocal frozen
        if not frozen:
            gc.freeze()
            frozen = True
            if was:
                gc.enable()

    try:
        yield settled
    finally:
        if frozen:
            gc.unfreeze()
        if was:
            gc.enable()

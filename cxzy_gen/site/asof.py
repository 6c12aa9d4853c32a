"""What a record said on a given day: a copy without anything dated after it (pure).

「按某日的情况」 means nothing dated after that day is shown. Each function returns None when the
record did not exist yet on `day`, the record itself when nothing in it is later, and otherwise a
copy with the later parts taken out and the statuses they set put back to what they were that day.
A record's own future dates (a 完成时限, a window's end) are not "later facts" and stay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from cxzy_gen.records import models as m

R = TypeVar("R", bound=m.Record)


def _copy(record: R, changes: dict[str, Any]) -> R:
    """`record` itself when nothing changes, else a copy (pydantic keeps the private source fields)."""
    changed = {k: v for k, v in changes.items() if getattr(record, k) is not v}
    return record.model_copy(update=changed) if changed else record


def _dated(items: list[Any], attr: str, day: dt.date) -> list[Any]:
    kept = [x for x in items if getattr(x, attr) <= day]
    return items if len(kept) == len(items) else kept


def _until(value: Any, attr: str, day: dt.date) -> Any:
    """A dated part, or None when it is dated after `day`."""
    return value if value is None or getattr(value, attr) <= day else None


def _common(record: m.Record, day: dt.date) -> dict[str, Any]:
    changes: dict[str, Any] = {"amendments": _dated(record.amendments, "date", day)}
    if isinstance(record, m.Withdrawable):
        changes["withdrawn"] = _until(record.withdrawn, "date", day)
    return changes


def commitment(c: m.Commitment, day: dt.date) -> m.Commitment | None:
    if c.proposed > day:
        return None
    outcome = _until(c.outcome, "date", day)
    return _copy(
        c,
        {
            **_common(c, day),
            "publicized": _until(c.publicized, "date", day),
            "progress": _dated(c.progress, "date", day),
            "outcome": outcome,
            # 评诺 has no date of its own: it evaluates the outcome, so it is known once the outcome is.
            "evaluation": c.evaluation if outcome is not None else None,
            "remedial": _until(c.remedial, "date", day),
        },
    )


def _rectification(x: m.Rectification, day: dt.date) -> m.Rectification:
    if x.done is None or x.done <= day:
        return x
    # Done later: on `day` it was still being worked on; who verified it and how is not known yet.
    return x.model_copy(update={"status": m.RectificationStatus.IN_PROGRESS, "done": None, "verified_by": None, "note": None})


def review(r: m.Review, day: dt.date) -> m.Review | None:
    if r.date > day:
        return None
    items = [_rectification(x, day) for x in r.rectifications]
    same = all(a is b for a, b in zip(items, r.rectifications, strict=True))
    return _copy(
        r,
        {
            **_common(r, day),
            "summary": _until(r.summary, "submitted", day),
            "signature": _until(r.signature, "date", day),
            "feedback": _until(r.feedback, "date", day),
            "rectifications": r.rectifications if same else items,
        },
    )


def appraisal(a: m.Appraisal, day: dt.date) -> m.Appraisal | None:
    return None if a.date > day else _copy(a, _common(a, day))


def commendation_start(h: m.Commendation) -> dt.date | None:
    """The first day the nomination is on the board: its nomination date, else its 公示's start."""
    return h.nominated or (h.publicity.start if h.publicity else None)


def _objection(o: m.Objection, day: dt.date) -> m.Objection:
    if not o.resolved or o.resolved_on is None or o.resolved_on <= day:
        return o
    return o.model_copy(update={"resolved": False, "resolved_on": None, "handling": None})


def commendation(h: m.Commendation, day: dt.date) -> m.Commendation | None:
    start = commendation_start(h)
    if start is not None and start > day:
        return None
    objections = [_objection(o, day) for o in h.objections if o.received <= day]
    same = len(objections) == len(h.objections) and all(a is b for a, b in zip(objections, h.objections, strict=True))
    changes: dict[str, Any] = {**_common(h, day), "objections": h.objections if same else objections}
    before = m.CommendationStatus.PUBLICIZING if h.publicity is not None else m.CommendationStatus.NOMINATED
    if h.status is m.CommendationStatus.AWARDED and h.decided is not None and h.decided > day:
        changes.update(status=before, decided=None, decision=None)
    elif h.status is m.CommendationStatus.REVOKED and h.revoked_on is not None and h.revoked_on > day:
        changes.update(status=before, revoked_on=None, revoked_reason=None)
    return _copy(h, changes)

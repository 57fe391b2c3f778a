"""One check: its verdict, its message in every language and the figures it involved."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import location
from .figures import Figure

COLUMNS = ["check_id", "kind", "severity", "status", "indicators", "facts", "reported",
           "expected", "difference", "tolerance", "message_en", "message_vi", "lines",
           "locations"]
KINDS = ("parse", "rate", "total", "formula", "plausibility", "same_quantity", "narrative",
         "reference")
SEVERITIES = ("error", "warning", "info")
EPSILON = 1e-9


# --- one check ---------------------------------------------------------------------------

@dataclass
class Check:
    check_id: str
    kind: str
    status: str
    severity: str
    message: dict          # lang -> the message
    figures: list[Figure] = field(default_factory=list)
    reported: float | None = None
    expected: float | None = None
    tolerance: float | None = None

    def _ids(self, facts: bool) -> str:
        return "; ".join(dict.fromkeys(f.id for f in self.figures if f.is_fact == facts))

    def record(self) -> dict:
        lines = sorted({f.line for f in self.figures if f.line is not None})
        difference = (self.reported - self.expected
                      if self.reported is not None and self.expected is not None else None)
        return {
            "check_id": self.check_id, "kind": self.kind, "severity": self.severity,
            "status": self.status, "indicators": self._ids(False), "facts": self._ids(True),
            "reported": self.reported, "expected": self.expected,
            "difference": None if difference is None else round(difference, 9),
            "tolerance": self.tolerance, "message_en": self.message["en"],
            "message_vi": self.message["vi"], "lines": "; ".join(str(n) for n in lines),
            "locations": location.joined(f.location for f in self.figures),
        }


def passed_check(check_id, kind, message, figs, reported=None, expected=None, tolerance=None):
    return Check(check_id, kind, "passed", "info", message, list(figs), reported, expected,
                 tolerance)


def failed_check(check_id, kind, severity, message, figs, reported=None, expected=None,
                 tolerance=None):
    return Check(check_id, kind, "failed", severity, message, list(figs), reported, expected,
                 tolerance)


def agrees(reported: float, expected: float, tolerance: float) -> bool:
    return abs(reported - expected) <= tolerance + EPSILON


def rounding_slip(reported: float, expected: float, tolerance: float) -> bool:
    """Off by less than one unit of the last digit written: a rounding slip, not a contradiction."""
    return tolerance > 0 and abs(reported - expected) < 2 * tolerance - EPSILON



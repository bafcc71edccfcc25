"""Reporters: each renders a RunResult to a text stream."""

from .json_report import render_json
from .options import ReportOptions
from .text_report import render_text

REPORTERS = {"text": render_text, "json": render_json}

__all__ = ["REPORTERS", "ReportOptions"]

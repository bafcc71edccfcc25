"""Reporters: each renders a RunResult to a text stream."""

from .github_report import render_github
from .json_report import render_json
from .options import ReportOptions
from .reply_report import render_reply
from .sarif_report import render_sarif
from .text_report import render_text

REPORTERS = {"text": render_text, "json": render_json, "github": render_github, "reply": render_reply,
             "sarif": render_sarif}

__all__ = ["REPORTERS", "ReportOptions"]

"""What the user asked of the output: checkpatch.pl's flags, with its names and meanings, and
where rule links point."""

from __future__ import annotations

from dataclasses import dataclass

from ..finding import Severity


@dataclass(frozen=True)
class ReportOptions:
    terse: bool = False       # one line per finding
    showfile: bool = False    # `path:line: ` before each finding, no `#N: FILE:` line
    emacs: bool = False       # `input:#N: ` before each finding
    summary: bool = True      # the `total:` line, the verdict and the footer
    mailback: bool = False    # print nothing at all when there is nothing to say
    quiet: bool = False       # no verdict sentences; `total:` only for patches with findings
    docs_url: str | None = None   # the configuration's docs-url: where rule links point
    verbose: bool = False     # -v: a NOTE per file analysed in part, and ZCX901's findings
    partial_functions: bool = False   # show ZCX901 (-v, or --select naming it)
    fail_on: Severity | None = Severity.WARNING   # the lowest severity that fails the run
    fail_on_name: str = "warning"

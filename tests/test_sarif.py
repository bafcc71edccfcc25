"""`--format sarif`: a SARIF 2.1.0 log the official validator accepts, with the findings,
places and patches of the JSON format, links to the rule docs and fingerprints that survive
line shifts."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from helpers import FIXTURES, REPO, command, run, run_json, series_args, series_inputs

from zcrxlint import docs
from zcrxlint.checks import RULES

EVERY_FAMILY = FIXTURES / "series" / "every-family"
ACME = "drivers/net/ethernet/acme/acme_rx.c"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FAMILY_TAG = {"1": "page-pool-internals", "2": "dma-sync", "3": "net-iov-ownership",
              "4": "memory-provider-ops", "9": "run"}


def sarif_run(args, cwd: Path = REPO) -> dict:
    code, out, err = run([*args, "--format", "sarif"], cwd)
    assert code in (0, 1), f"zcrxlint {' '.join(map(str, args))} exited {code}: {err}"
    log = json.loads(out)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    return log["runs"][0]


def every_family_args() -> list:
    return ["check", *series_inputs(EVERY_FAMILY), *series_args(EVERY_FAMILY)]


@pytest.fixture(scope="module")
def every_family():
    """The SARIF run and the JSON document of one series with findings of every family."""
    return sarif_run(every_family_args()), run_json(every_family_args())[1]


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "linux"
    shutil.copytree(FIXTURES / "tree", root)
    return root


# ---- the official validator ----------------------------------------------------------------

@pytest.fixture(scope="session")
def validator() -> str:
    """Sarif.Multitool as `npm ci` installed it (the Quick start's install step)."""
    try:
        found = subprocess.run(["node", "-p", "require('@microsoft/sarif-multitool')"], cwd=REPO,
                               capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.fail("node is not installed; the SARIF validator is an npm package")
    if found.returncode != 0:
        pytest.fail("the SARIF validator is not installed: run `npm ci --no-audit --no-fund` at "
                    f"the repository root\n{found.stderr}")
    binary = found.stdout.strip()
    # Its postinstall only sets this bit, and an npm that skips install scripts leaves it off.
    mode = os.stat(binary).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(binary, mode | stat.S_IXUSR)
    return binary


def validate(binary: str, log: Path) -> list[tuple[str, str, str]]:
    """What the validator says of `log`: (level, rule, where) for each of its results, read
    from the SARIF log it writes (its exit status is 0 whatever it finds)."""
    verdict = log.with_suffix(".validation.sarif")
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}   # no libicu needed
    done = subprocess.run([binary, "validate", log, "--output", verdict, "--log", "ForceOverwrite",
                           "--level", "Error;Warning;Note"],
                          capture_output=True, text=True, timeout=120, env=env)
    said = f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    assert verdict.is_file(), f"the validator wrote no log: {said}"
    validation = json.loads(verdict.read_text(encoding="utf-8-sig"))["runs"][0]
    assert all(i.get("executionSuccessful") for i in validation["invocations"]), said
    rules = {r["id"]: r for r in validation["tool"]["driver"]["rules"]}
    found = [(r.get("level") or rules[r["ruleId"]].get("defaultConfiguration", {}).get("level", "warning"),
              r["ruleId"], r.get("properties", {}).get("jsonPath") or str(r["message"].get("arguments")))
             for r in validation.get("results", [])]
    found += [("error", "notification", n["message"].get("text", ""))
              for i in validation["invocations"] for n in i.get("toolExecutionNotifications", [])
              if n.get("level") == "error"]
    return found


def test_the_official_validator_accepts_a_series_with_every_family(validator, tmp_path):
    produced = command([*every_family_args(), "--format", "sarif"])
    assert produced.returncode == 1, produced.stderr.decode()
    log = tmp_path / "zcrxlint.sarif"
    log.write_bytes(produced.stdout)
    verdict = validate(validator, log)
    errors = [v for v in verdict if v[0] == "error"]
    assert not errors, "the SARIF validator rejects the log:\n" + "\n".join(map(str, verdict))
    # Its advice (notes) is always there; none means it did not read the file.
    assert verdict, "the validator reported nothing at all: did it read the log?"

    sarif = json.loads(produced.stdout)["runs"][0]
    assert {r["ruleId"][:4] for r in sarif["results"]} == {"ZCX1", "ZCX2", "ZCX3", "ZCX4", "ZCX9"}

    # The demo series: lines carried through later patches, one result left without a region.
    demo = command(["check", *sorted((FIXTURES / "demo").glob("*.patch")), "--format", "sarif"])
    assert any("region" not in r["locations"][0]["physicalLocation"]
               for r in json.loads(demo.stdout)["runs"][0]["results"])
    (tmp_path / "demo.sarif").write_bytes(demo.stdout)
    demo_verdict = validate(validator, tmp_path / "demo.sarif")
    assert not [v for v in demo_verdict if v[0] == "error"], "\n".join(map(str, demo_verdict))
    # Installed, the links point at the rules page the wheel carries.
    page = Path(url2pathname(urlsplit(sarif["tool"]["driver"]["rules"][0]["helpUri"]).path))
    assert page.parent.name == "ruledocs" and page.is_file()


# ---- the document --------------------------------------------------------------------------

def test_rules_are_the_registry_in_code_order_with_their_docs(every_family):
    sarif, _ = every_family
    driver = sarif["tool"]["driver"]
    assert driver["name"] == "zcrxlint" and driver["version"] == driver["semanticVersion"]
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in RULES]
    page = docs.rules_page()
    headings = page.read_text(encoding="utf-8")
    for descriptor, rule in zip(driver["rules"], RULES):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.why
        assert descriptor["help"] == {"text": docs.rule_text(rule), "markdown": docs.rule_markdown(rule)}
        assert descriptor["defaultConfiguration"]["level"] == LEVEL[rule.severity.label]
        assert descriptor["properties"]["tags"] == [FAMILY_TAG[rule.code[3]]]
        assert descriptor["properties"]["kernels"] == {"since": rule.since, "until": rule.until}
        link = urlsplit(descriptor["helpUri"])
        assert link.scheme == "file" and Path(url2pathname(link.path)) == page
        assert link.fragment == docs.anchor(rule) and descriptor["helpUri"].endswith(f"#{docs.anchor(rule)}")
        assert f"\n## {rule.code} {rule.name}\n" in headings, "the anchor names a section of the page"


def test_results_are_the_json_findings_at_the_same_places(every_family):
    sarif, doc = every_family
    rules = sarif["tool"]["driver"]["rules"]
    assert sarif["originalUriBaseIds"].keys() == {"%SRCROOT%"}
    got = []
    for result in sarif["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        where = result["locations"][0]
        physical = where["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        got.append((result["ruleId"], result["level"], physical["artifactLocation"]["uri"],
                    region["startLine"], region["startColumn"], region["endLine"], region["endColumn"],
                    [logical["name"] for logical in where.get("logicalLocations", [])],
                    result["message"]["text"], result["properties"]["patch"]))
    want = [(f["code"], LEVEL[f["severity"]], f["path"], f["line"], f["column"], f["end_line"],
             f["end_column"], [f["function"]] if f["function"] else [], f["message"], f["patch"])
            for f in doc["findings"]]
    assert got == want
    assert {p["index"] for *_, p in got} == {1, 2, 3, 4}


def test_partial_notes_are_tool_notifications_and_the_run_says_its_kernel(every_family):
    sarif, doc = every_family
    invocation, = sarif["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = [(n["level"], n["message"]["text"],
              n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], n["properties"]["patch"])
             for n in invocation["toolExecutionNotifications"]]
    assert notes == [("warning", f"analysed in part: {p['reason']}", p["path"], p["patch"])
                     for p in doc["summary"]["partial"]]
    assert notes and notes[0][2] == "drivers/net/ethernet/acme/acme_pp_dump.c"
    assert sarif["properties"] == {"kernel": doc["kernel"], "baselined": 0}


def test_the_same_run_prints_the_same_bytes():
    first, second = (run([*every_family_args(), "--format", "sarif"])[1] for _ in range(2))
    assert first == second and first.endswith("}\n")


def test_fingerprints_stay_when_lines_move(tree):
    before = sarif_run(["files", tree / ACME, "--tree", tree])["results"]
    lines = (tree / ACME).read_text().split("\n")
    for result in before:
        physical = result["locations"][0]["physicalLocation"]
        region, line = physical["region"], lines[physical["region"]["startLine"] - 1]
        assert physical["contextRegion"]["snippet"]["text"] == line
        assert region["snippet"]["text"] == line[region["startColumn"] - 1:region["endColumn"] - 1]
    (tree / ACME).write_text("/* three lines\n * pushed in\n */\n" + "\n".join(lines))
    after = sarif_run(["files", tree / ACME, "--tree", tree])["results"]

    def fingerprint(result):
        return result["partialFingerprints"]["zcrxlint/v1"]

    def start(result):
        return result["locations"][0]["physicalLocation"]["region"]["startLine"]

    assert len(before) > 3
    assert [fingerprint(r) for r in after] == [fingerprint(r) for r in before]
    assert [start(r) for r in after] == [start(r) + 3 for r in before]
    assert len({fingerprint(r) for r in before}) == len(before)


def test_docs_url_and_severity_from_the_configuration(tree):
    base = "https://docs.example.org/zcrxlint/rules.html"
    (tree / ".zcrxlint.toml").write_text(f'docs-url = "{base}"\n[severity]\nZCX107 = "error"\n')
    sarif = sarif_run(["files", tree / ACME, "--tree", tree])
    driver = sarif["tool"]["driver"]
    assert [r["helpUri"] for r in driver["rules"]] == [f"{base}#{docs.anchor(rule)}" for rule in RULES]
    assert driver["informationUri"] == base
    historic = [r for r in sarif["results"] if r["ruleId"] == "ZCX107"]
    assert historic and all(r["level"] == "error" for r in historic)
    assert driver["rules"][historic[0]["ruleIndex"]]["defaultConfiguration"]["level"] == "note"


def test_a_file_outside_any_kernel_tree_is_named_by_its_file_uri(tmp_path):
    lone = tmp_path / "acme_rx.c"
    shutil.copy(FIXTURES / "tree" / ACME, lone)
    results = sarif_run(["files", lone])["results"]
    assert results
    for result in results:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": lone.as_uri()}


def test_series_regions_are_on_the_last_commit_and_keep_the_patch_region():
    demo = sorted((FIXTURES / "demo").glob("*.patch"))
    _, doc = run_json(["check", *demo])
    _, github = run(["check", *demo, "--format", "github"])[:2]
    annotated = [dict(p.split("=", 1) for p in line.split("::")[1].split(" ", 1)[1].split(","))
                 for line in github.splitlines() if line.startswith(("::error", "::warning", "::notice"))]
    results = sarif_run(["check", *demo])["results"]
    assert len(results) == len(doc["findings"]) == len(annotated)
    for result, finding, props in zip(results, doc["findings"], annotated):
        assert result["properties"]["patchRegion"]["startLine"] == finding["line"]
        physical = result["locations"][0]["physicalLocation"]
        if "line" in props:
            assert physical["region"]["startLine"] == int(props["line"])
        else:
            assert "region" not in physical and result["message"]["text"].endswith(
                f"(line {finding['line']} in patch 2; patch 5 changed it since)")
    assert sum(r["properties"]["patchRegion"]["startLine"] !=
               r["locations"][0]["physicalLocation"].get("region", {}).get("startLine") for r in results) == 3

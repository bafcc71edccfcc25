#!/usr/bin/env python3
"""zcrxlint against the tools a reviewer would otherwise run, on the same input in one run.

    python bench/run.py            # the full benchmark: writes bench/RESULTS.md, bench/REALTREE.md
    python bench/run.py --smoke    # a small run on the fixtures (the test suite runs this)

The full run installs what it lacks (Debian's linux-source-6.12 and coccinelle, with
apt-get), extracts the kernel once into a cache outside the repository
($ZCRXLINT_BENCH_CACHE, default /var/cache/zcrxlint-bench), then measures, alternating
the tools round by round and keeping medians:
  1. the 15-patch series in fixtures/series/provider-15: `zcrxlint check` on the whole
     series against `checkpatch.pl --no-tree --terse` on each patch;
  2. net/ and drivers/net/: `zcrxlint files` against `spatch --dir` with
     bench/pp_private_fields.cocci, both on all cores, and the true findings of each;
  3. the whole tree: `zcrxlint files .` against `grep -rlE` of the same trigger tokens;
  4. scaling: 1, 10, 100 and 1000 files parsed, and 1, 15 and 150 patches;
  5. memory: `zcrxlint check` on 100 MB inputs of the heaviest shapes (bench/memory.py).
Time is wall time; memory is the peak of the summed resident sets of the process and its
children, sampled every 10 ms. Every finding of the whole-tree run goes to REALTREE.md
with its verdict from bench/verdicts.toml; a finding without one fails the run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERIES = REPO / "fixtures" / "series" / "provider-15"
COCCI = REPO / "bench" / "pp_private_fields.cocci"
VERDICTS = REPO / "bench" / "verdicts.toml"
KERNEL = "6.12"
PACKAGES = ("linux-source-6.12", "coccinelle")
TARBALL = Path("/usr/src/linux-source-6.12.tar.xz")
JOBS = str(len(os.sched_getaffinity(0)))


# ---- running and measuring ------------------------------------------------------------------

def _tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], cwd: Path, ok=(0, 1)) -> tuple[float, int, str, int, str]:
    """(seconds, peak KB of the process tree, stdout, exit status, stderr) of one run."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode not in ok:
            sys.exit(f"bench: {' '.join(command)} exited {proc.returncode}: {stderr.strip()[-500:]}")
        out.seek(0)
        return elapsed, peak, out.read().decode(errors="replace"), proc.returncode, stderr


def alternate(contenders: dict[str, list], rounds: int) -> dict[str, dict]:
    """Each contender is a list of (command, cwd) run back to back as one sample; the
    contenders take turns, round after round. Medians of time and of peak memory."""
    samples = {name: [] for name in contenders}
    outputs = {}
    for _ in range(rounds):
        for name, runs in contenders.items():
            total, peak, texts = 0.0, 0, []
            for command, cwd in runs:
                seconds, kb, text, _, _ = measure(command, cwd)
                total += seconds
                peak = max(peak, kb)
                texts.append(text)
            samples[name].append((total, peak))
            outputs[name] = texts
    return {name: {"seconds": statistics.median(s for s, _ in got),
                   "peak_mb": statistics.median(k for _, k in got) / 1024,
                   "output": outputs[name]} for name, got in samples.items()}


# ---- what the run needs ---------------------------------------------------------------------

def ensure_packages() -> None:
    missing = [p for p in PACKAGES if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout != "install ok installed"]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"bench: installing {' '.join(missing)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def kernel_tree(cache: Path) -> Path:
    tree = cache / "linux-source-6.12"
    if not (tree / ".zcrxlint-extracted").exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"bench: extracting {TARBALL} into {cache}", file=sys.stderr)
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(["tar", "xJf", str(TARBALL), "-C", str(cache)], check=True)
        (tree / ".zcrxlint-extracted").touch()
    return tree


def version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True)
        out = done.stdout or done.stderr
    except OSError:
        return "not installed"
    return out.strip().splitlines()[0] if out.strip() else "unknown"


def trigger_regex() -> str:
    """The tokens zcrxlint's prefilter looks for at the benchmark's kernel, as one ERE."""
    sys.path.insert(0, str(REPO))
    from zcrxlint import facts
    from zcrxlint.engine import Analyzer
    return Analyzer(facts.load(facts.KernelVersion.parse(KERNEL))).prefilter.ere()


def zcrxlint(*args: str) -> list[str]:
    return [sys.executable, "-m", "zcrxlint", *args]


def checkpatch_runs(checkpatch: Path, patches: list[Path]) -> list:
    return [(["perl", str(checkpatch), "--no-tree", "--terse", "-q", str(p)], checkpatch.parent.parent)
            for p in patches]


def replicated_series(copies: int, into: Path) -> list[Path]:
    """`copies` renamed copies of the 15-patch series (acme/zcrx -> acme/zcrxN), in order."""
    out = []
    for n in range(copies):
        for patch in sorted(SERIES.glob("*.patch")):
            target = into / f"{n:03d}-{patch.name}"
            target.write_bytes(patch.read_bytes().replace(b"acme/zcrx/", f"acme/zcrx{n}/".encode()))
            out.append(target)
    return out


# ---- findings and verdicts ------------------------------------------------------------------

def load_verdicts() -> dict[tuple[str, int], dict]:
    table = tomllib.loads(VERDICTS.read_text())
    return {(v["path"], v["line"]): v for v in table["finding"]}


def spatch_matches(texts: list[str], owner: list[str]) -> set[tuple[str, int]]:
    import fnmatch
    found = set()
    for text in texts:
        for line in text.splitlines():
            m = re.match(r"(?:\./)?(.+?):(\d+):", line)
            if m and not any(fnmatch.fnmatchcase(m.group(1), pat) for pat in owner):
                found.add((m.group(1), int(m.group(2))))
    return found


def zcrxlint_findings(texts: list[str], family: str = "") -> list[dict]:
    doc = json.loads(texts[-1])
    return [f for f in doc["findings"] if f["code"].startswith(family)]


def true_count(where: set[tuple[str, int]], verdicts) -> int:
    return sum(1 for key in where if verdicts.get(key, {}).get("verdict") == "true")


# ---- the run --------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one quick round on the fixtures")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench")
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds
    args.out.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("ZCRXLINT_BENCH_CACHE", "/var/cache/zcrxlint-bench"))
    if args.smoke:
        tree = REPO / "fixtures" / "tree"
        dirs = ["drivers/net", "net"]
        checkpatch = next((p for p in (cache / "linux-source-6.12" / "scripts" / "checkpatch.pl",)
                           if p.exists()), None)
        file_counts, copies = (1, 10), (1,)
    else:
        ensure_packages()
        tree = kernel_tree(cache)
        dirs = ["net", "drivers/net"]
        checkpatch = tree / "scripts" / "checkpatch.pl"
        file_counts, copies = (1, 10, 100, 1000), (1, 10)
    spatch = shutil.which("spatch")
    kernel = ["--kernel", KERNEL]
    rows, notes = [], []
    patches = sorted(SERIES.glob("*.patch"))

    # 1. the series
    contenders = {"zcrxlint": [(zcrxlint("check", *map(str, patches), "--format", "json"), REPO)]}
    if checkpatch is not None:
        contenders["checkpatch.pl"] = checkpatch_runs(checkpatch, patches)
    got = alternate(contenders, rounds)
    peer = got.get("checkpatch.pl")
    rows.append(("series: 15 patches", got["zcrxlint"], "checkpatch.pl (15 runs)", peer, "at least 5x faster", 5.0))

    # 2. the trees against Coccinelle
    verdicts = load_verdicts() if VERDICTS.exists() else {}
    sys.path.insert(0, str(REPO))
    from zcrxlint import facts as facts_mod
    owner = list(facts_mod.load(facts_mod.KernelVersion.parse(KERNEL)).owner_files)
    for directory in dirs:
        contenders = {"zcrxlint": [(zcrxlint("files", directory, *kernel, "-j", JOBS, "--format", "json"), tree)]}
        if spatch:
            contenders["spatch"] = [([spatch, "--sp-file", str(COCCI), "--dir", directory, "-j", JOBS,
                                      "--very-quiet", "--local-includes"], tree)]
        got = alternate(contenders, rounds)
        ours = {(f["path"], f["line"]) for f in zcrxlint_findings(got["zcrxlint"]["output"], "ZCX1")}
        theirs = spatch_matches(got["spatch"]["output"], owner) if spatch else set()
        rows.append((f"tree: {directory}/", got["zcrxlint"], "spatch -j " + JOBS, got.get("spatch"),
                     "no slower", 1.0))
        notes.append(f"- {directory}/: ZCX1xx findings {len(ours)} ({true_count(ours, verdicts)} true), "
                     f"spatch matches outside page_pool's own files {len(theirs)} "
                     f"({true_count(theirs, verdicts)} true); spatch only: "
                     f"{', '.join(f'{p}:{n}' for p, n in sorted(theirs - ours)) or 'none'}; "
                     f"zcrxlint only: {', '.join(f'{p}:{n}' for p, n in sorted(ours - theirs)) or 'none'}")

    # 3. the whole tree against grep
    regex = trigger_regex()
    got = alternate({
        "zcrxlint": [(zcrxlint("files", ".", *kernel, "-j", JOBS, "--format", "json"), tree)],
        "grep": [(["grep", "-rlE", "--include=*.c", "--include=*.h", "-e", regex, "."], tree)],
    }, rounds)
    rows.append(("whole tree", got["zcrxlint"], "grep -rlE (same tokens)", got["grep"],
                 "at most 2x grep's time (ratio at least 0.5x)", 0.5))
    whole = json.loads(got["zcrxlint"]["output"][-1])
    memory_ok = got["zcrxlint"]["peak_mb"] < 500
    notes.append(f"- whole tree: {whole['summary']['files']} files, {whole['summary']['files'] - whole['summary']['unparsed']} "
                 f"parsed, peak memory {got['zcrxlint']['peak_mb']:.0f} MB (target under 500 MB: "
                 f"{'met' if memory_ok else 'NOT met'})")
    coverage = parse_coverage(whole)
    notes.append(f"- whole tree parse coverage: {coverage}")
    print(f"bench: whole tree parse coverage: {coverage}")

    # 4. scaling
    scaling = []
    every = sorted(str(p.relative_to(tree)) for p in (tree / dirs[0]).rglob("*.c"))
    for count in file_counts:
        chosen = every[:count]
        got = alternate({"zcrxlint": [(zcrxlint("files", *chosen, *kernel, "-j", JOBS, "--no-prefilter",
                                                "--format", "json"), tree)]}, rounds)["zcrxlint"]
        size = sum((tree / p).stat().st_size for p in chosen)
        scaling.append((f"{len(chosen)} files ({size / 1e6:.1f} MB, all parsed)", got, size / 1e6))
    with tempfile.TemporaryDirectory() as scratch:
        for n in copies:
            series = replicated_series(n, Path(scratch)) if n > 1 else patches
            for subset in ([series[0]], series) if n == 1 else (series,):
                got = alternate({"zcrxlint": [(zcrxlint("check", *map(str, subset), "--format", "json"),
                                               REPO)]}, rounds)["zcrxlint"]
                size = sum(p.stat().st_size for p in subset)
                scaling.append((f"{len(subset)} patches ({size / 1e6:.2f} MB)", got, size / 1e6))

    # 5. memory on the heaviest inputs
    import memory   # bench/memory.py, which takes measure() from here
    heavy = memory.table(memory.rows(0.2 if args.smoke else 100.0))

    unjudged = write_realtree(args.out / "REALTREE.md", whole, verdicts, tree) if not args.smoke else []
    write_results(args.out / "RESULTS.md", rows, notes, scaling, rounds, tree, checkpatch, spatch, args.smoke,
                  heavy)
    if unjudged:
        print(f"bench: {len(unjudged)} findings have no verdict in {VERDICTS}:", file=sys.stderr)
        for f in unjudged:
            print(f"  {f['path']}:{f['line']} {f['code']}", file=sys.stderr)
        return 1
    return 0


def parse_coverage(doc: dict) -> str:
    """Partly parsed functions and parsed lines of a `files --format json` run."""
    coverage = doc["summary"]["coverage"]
    lines = sum(c["lines"] for c in coverage)
    parsed = sum(c["parsed_lines"] for c in coverage)
    functions = sum(c["functions"] for c in coverage)
    partial = sum(c["partial_functions"] for c in coverage)
    percent = 100.0 * parsed / lines if lines else 100.0
    return (f"{partial} of {functions} functions parsed only in part (ZCX901), "
            f"{parsed:,} of {lines:,} lines parsed ({percent:.2f}%)")


def _ratio(ours: dict, theirs: dict | None) -> str:
    return "-" if theirs is None else f"{theirs['seconds'] / ours['seconds']:.1f}x"


def write_results(path: Path, rows, notes, scaling, rounds, tree, checkpatch, spatch, smoke, heavy) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    zv = subprocess.run(zcrxlint("--version"), capture_output=True, text=True, cwd=REPO).stdout.strip()
    lines = [
        "# zcrxlint benchmark", "",
        f"Written by `python bench/run.py` on {datetime.date.today().isoformat()}; "
        f"{rounds} alternating round{'s' if rounds > 1 else ''}, medians."
        + (" A smoke run on the fixtures: the times say nothing." if smoke else ""), "",
        f"- machine: {cpu}, {JOBS} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- {zv}; {version([spatch or 'spatch', '--version'])}; "
        f"{version(['grep', '--version'])}; checkpatch.pl from {checkpatch or 'not found'}",
        f"- input tree: {tree}", "",
        "Ratio: the peer's time over zcrxlint's (above 1x, zcrxlint is faster).", "",
        "| input | zcrxlint | peer | peer time | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, ours, peer_name, theirs, target, needed in rows:
        met = "-" if theirs is None else ("yes" if theirs["seconds"] / ours["seconds"] >= needed else "NO")
        peer_cell = "-" if theirs is None else f"{theirs['seconds']:.2f} s, {theirs['peak_mb']:.0f} MB"
        lines.append(f"| {name} | {ours['seconds']:.2f} s, {ours['peak_mb']:.0f} MB | {peer_name} | "
                     f"{peer_cell} | {_ratio(ours, theirs)} | {target} | {met} |")
    lines += ["", "Findings:", "", *notes, "", "## Scaling", "",
              "Files are the first N .c files of the first directory, parsed with --no-prefilter; "
              "patches are copies of the 15-patch series under new paths. Start-up (about "
              "0.1 s) is in every row.", "",
              "| input | time | peak memory | time per file or patch | time per MB |",
              "|---|---|---|---|---|"]
    for name, got, megabytes in scaling:
        units = int(name.split()[0])
        lines.append(f"| {name} | {got['seconds']:.2f} s | {got['peak_mb']:.0f} MB | "
                     f"{got['seconds'] / units * 1000:.1f} ms | {got['seconds'] / megabytes:.2f} s |")
    lines += ["", "## Memory on the heaviest inputs", "",
              "`zcrxlint check --format json --time-budget 0` on inputs bench/memory.py builds, every "
              "function holding findings; one run each. The limits that bound them are in "
              "zcrxlint/limits.py (README, Bounds).", "", *heavy]
    path.write_text("\n".join(lines) + "\n")


def write_realtree(path: Path, doc: dict, verdicts, tree: Path) -> list[dict]:
    unjudged = []
    lines = ["# zcrxlint on linux-source-6.12", "",
             f"Every finding of `zcrxlint files . --kernel {KERNEL}` in {tree}, with its verdict "
             "(bench/verdicts.toml). Written by `python bench/run.py`.", "",
             "| finding | code | verdict | why |", "|---|---|---|---|"]
    partial_by_file: dict[str, int] = {}
    for f in doc["findings"]:
        if f["code"] == "ZCX901":
            partial_by_file[f["path"]] = partial_by_file.get(f["path"], 0) + 1
            continue
        verdict = verdicts.get((f["path"], f["line"]))
        if verdict is None:
            unjudged.append(f)
            verdict = {"verdict": "UNJUDGED", "why": f["message"]}
        lines.append(f"| {f['path']}:{f['line']} | {f['code']} {f['severity']} | {verdict['verdict']} | "
                     f"{verdict['why']} |")
    lines += ["", f"Parse coverage: {parse_coverage(doc)}."]
    lines += ["", f"ZCX901 (info: a function parsed only in part) in {len(partial_by_file)} files, "
              f"{sum(partial_by_file.values())} functions. Verdict: acceptable, a note about "
              "tree-sitter's coverage (an #if that splits a statement, a macro no shape tells), not an objection:", ""]
    lines += [f"- {p}: {n}" for p, n in sorted(partial_by_file.items())]
    path.write_text("\n".join(lines) + "\n")
    return unjudged


if __name__ == "__main__":
    sys.exit(main())

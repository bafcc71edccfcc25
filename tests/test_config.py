"""Configuration at the tree root: every key does what it says, every mistake names its key."""

from __future__ import annotations

import shutil

import pytest
from helpers import FIXTURES, run, run_json

ACME = "drivers/net/ethernet/acme/acme_rx.c"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "linux"
    shutil.copytree(FIXTURES / "tree", root)
    return root


def findings(tree, *extra):
    code, doc = run_json(["files", tree / ACME, "--tree", tree, *extra])
    return code, [(f["line"], f["code"], f["severity"]) for f in doc["findings"]], doc


def test_without_configuration_the_acme_driver_has_its_findings(tree):
    _, found, doc = findings(tree)
    assert found == [(19, "ZCX104", "error"), (20, "ZCX104", "error"), (21, "ZCX104", "error"),
                     (30, "ZCX106", "error"), (31, "ZCX106", "error"), (32, "ZCX107", "info")]
    assert doc["kernel"] == "6.18"       # the fixture tree's Makefile


def test_zcrxlint_toml_select_ignore_severity_kernel_and_fail_on(tree):
    (tree / ".zcrxlint.toml").write_text(
        'select = ["ZCX1"]\n'
        'ignore = ["pp-historic-param"]\n'
        'kernel = "6.14"\n'
        'fail-on = "error"\n'
        '[severity]\n'
        '"pp-private-helper" = "warning"\n')
    code, found, doc = findings(tree)
    assert found == [(19, "ZCX104", "warning"), (20, "ZCX104", "warning"), (21, "ZCX104", "warning"),
                     (30, "ZCX106", "error"), (31, "ZCX106", "error")]
    assert doc["kernel"] == "6.14" and code == 1
    # fail-on = error: warnings alone pass.
    (tree / ".zcrxlint.toml").write_text('select = ["ZCX104"]\nfail-on = "error"\n'
                                         '[severity]\nZCX104 = "warning"\n')
    code, found, _ = findings(tree)
    assert code == 0 and [c for _, c, _ in found] == ["ZCX104"] * 3


def test_per_path_ignores_and_exempt_paths(tree):
    (tree / ".zcrxlint.toml").write_text(
        '[per-path-ignores]\n"drivers/net/ethernet/*/acme_*.c" = ["ZCX106", "ZCX107"]\n')
    _, found, _ = findings(tree)
    assert [c for _, c, _ in found] == ["ZCX104"] * 3
    (tree / ".zcrxlint.toml").write_text('exempt-paths = ["drivers/net/ethernet/acme/*"]\n')
    _, found, _ = findings(tree)
    assert found == [], "an exempt path is page_pool's own: no ZCX1xx"


def test_pyproject_table_and_command_line_on_top(tree):
    (tree / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.zcrxlint]\nignore = ["ZCX104"]\n')
    _, found, _ = findings(tree)
    assert [c for _, c, _ in found] == ["ZCX106", "ZCX106", "ZCX107"]
    _, found, _ = findings(tree, "--ignore", "ZCX106")
    assert [c for _, c, _ in found] == ["ZCX107"]
    _, found, _ = findings(tree, "--select", "pp-private-helper,ZCX107")   # replaces select, keeps ignore
    assert [c for _, c, _ in found] == ["ZCX107"]
    _, found, _ = findings(tree, "--isolated")
    assert [c for _, c, _ in found] == ["ZCX104"] * 3 + ["ZCX106"] * 2 + ["ZCX107"]
    # .zcrxlint.toml wins over pyproject.toml; --config over both.
    (tree / ".zcrxlint.toml").write_text('ignore = ["ZCX106"]\n')
    _, found, _ = findings(tree)
    assert [c for _, c, _ in found] == ["ZCX104"] * 3 + ["ZCX107"]
    other = tree / "other.toml"
    other.write_text('select = ["ZCX107"]\n')
    _, found, _ = findings(tree, "--config", other)
    assert [c for _, c, _ in found] == ["ZCX107"]


def test_extra_fact_files_add_to_the_shipped_facts(tree):
    (tree / "tools").mkdir()
    (tree / "tools" / "facts.toml").write_text(
        '[[page_pool.helper]]\nname = "acme_pp_poke"\nkind = "net-core-private"\n'
        'why = "it pokes page_pool internals"\ninstead = "net_mp_niov_set_page_pool()"\n')
    (tree / ".zcrxlint.toml").write_text('extra-facts = ["tools/facts.toml"]\nselect = ["ZCX104"]\n')
    src = tree / ACME
    src.write_text(src.read_text() + "\nstatic void acme_poke(struct page_pool *pp)\n{\n\tacme_pp_poke(pp);\n}\n")
    _, found, doc = findings(tree)
    poke = [f for f in doc["findings"] if "acme_pp_poke" in f["message"]]
    assert [(f["function"], f["code"]) for f in poke] == [("acme_poke", "ZCX104")]
    assert "it pokes page_pool internals" in poke[0]["message"]


def test_series_reads_the_configuration_of_the_repository(tmp_path):
    from kernel_repo import make_kernel_repo
    repo = make_kernel_repo(tmp_path)
    (repo.path / ".zcrxlint.toml").write_text('ignore = ["ZCX1"]\n')
    _, doc = run_json(["series", f"{repo.base}..HEAD", "-C", repo.path])
    assert {f["code"] for f in doc["findings"]} == {"ZCX201"}


@pytest.mark.parametrize("text, message", [
    ('selct = ["ZCX101"]\n', ".zcrxlint.toml: selct: unknown key"),
    ('select = ["ZCX999"]\n', ".zcrxlint.toml: select: 'ZCX999' is no zcrxlint code"),
    ('select = "ZCX101"\n', ".zcrxlint.toml: select: must be a list of codes or names"),
    ('ignore = ["pp-privat-field"]\n', ".zcrxlint.toml: ignore: 'pp-privat-field' is no zcrxlint code"),
    ('[severity]\nZCX101 = "fatal"\n', ".zcrxlint.toml: severity.ZCX101: 'fatal' is not a severity"),
    ('[severity]\nZCX998 = "error"\n', ".zcrxlint.toml: severity.ZCX998: 'ZCX998' is no zcrxlint code"),
    ('[per-path-ignores]\n"drivers/*" = ["ZCX9999"]\n',
     '.zcrxlint.toml: per-path-ignores."drivers/*": \'ZCX9999\' is no zcrxlint code'),
    ('kernel = "5.4"\n', ".zcrxlint.toml: kernel: 5.4: no facts for that release"),
    ('kernel = "six"\n', ".zcrxlint.toml: kernel: not a kernel release"),
    ('fail-on = "sometimes"\n', ".zcrxlint.toml: fail-on: 'sometimes' is not one of"),
    ('extra-facts = ["missing.toml"]\n', ".zcrxlint.toml: extra-facts: missing.toml: no such file"),
    ('docs-url = "docs/rules.md"\n', ".zcrxlint.toml: docs-url: 'docs/rules.md' is not an absolute http(s) URL"),
    ('docs-url = "ftp://example.org/rules.md"\n', ".zcrxlint.toml: docs-url: 'ftp://example.org/rules.md' is not"),
    ('docs-url = "https://example.org/rules#top"\n', ".zcrxlint.toml: docs-url: 'https://example.org/rules#top' is not"),
    ('docs-url = 1\n', ".zcrxlint.toml: docs-url: must be an absolute http(s) URL"),
    ('select = [\n', ".zcrxlint.toml: not valid TOML"),
])
def test_mistakes_are_errors_that_name_the_key(tree, text, message):
    (tree / ".zcrxlint.toml").write_text(text)
    code, out, err = run(["files", tree / ACME, "--tree", tree])
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("zcrxlint: ")
    assert message in err, err
    assert str(tree) in err, "the error names the file"


def test_pyproject_mistakes_name_the_tool_table(tree):
    (tree / "pyproject.toml").write_text('[tool.zcrxlint]\nselect = ["ZCX101"]\nbogus = 1\n')
    code, _, err = run(["files", tree / ACME, "--tree", tree])
    assert code == 2 and "pyproject.toml: tool.zcrxlint.bogus: unknown key" in err


def test_bad_extra_facts_and_command_line_codes(tree):
    (tree / "facts.toml").write_text('[pagepool]\nx = 1\n')
    (tree / ".zcrxlint.toml").write_text('extra-facts = ["facts.toml"]\n')
    code, _, err = run(["files", tree / ACME, "--tree", tree])
    assert code == 2 and "facts.toml: pagepool: unknown fact table" in err
    code, _, err = run(["files", tree / ACME, "--tree", tree, "--isolated", "--select", "ZCX1,nope"])
    assert code == 2 and "--select: 'nope' is no zcrxlint code" in err
    code, _, err = run(["files", tree / ACME, "--isolated", "--config", tree / ".zcrxlint.toml"])
    assert code == 2 and "--config and --isolated" in err


def test_the_readme_configuration_example_is_valid(tree):
    import re
    from helpers import REPO
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Configuration"):]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    (tree / "tools").mkdir()
    (tree / "tools" / "zcrxlint-facts.toml").write_text("")
    (tree / ".zcrxlint.toml").write_text(example)
    code, found, doc = findings(tree)
    assert code == 1 and doc["kernel"] == "6.15"
    assert [c for _, c, _ in found] == ["ZCX104"] * 3 + ["ZCX106"] * 2

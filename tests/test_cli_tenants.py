"""Unknown is an error (issue 14 point 2): a tenant with no registers, an empty store and a mistyped --store are
refused with exit 3 and a message naming what there is, never 0 % coverage; one tenant-name rule everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_fixtures import seeded_ladybug
from test_cli import EXAMPLES, regtrace

from regtrace.errors import InputError
from regtrace.tenants import tenant_name


@pytest.fixture(scope="module")
def two_tenants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("tenants") / "s"
    regtrace("load", str(EXAMPLES), "--tenant", "國泰人壽", store=store)
    regtrace("load", str(EXAMPLES), "--tenant", "example-life", store=store)
    return store


@pytest.mark.parametrize("command", [
    ["trace"], ["gaps"], ["coverage"], ["certifications"], ["findings"], ["check"],
    ["export", "--format", "xlsx", "--out", "OUT"], ["token", "create", "--role", "board"],
])
def test_a_tenant_without_registers_is_not_found(two_tenants: Path, command: list[str], tmp_path: Path) -> None:
    args = [a if a != "OUT" else str(tmp_path / "out") for a in command]
    result = regtrace(*args, "--tenant", "exmaple-life", store=two_tenants, check=False)
    assert result.returncode == 3, result.stderr
    assert "tenant 'exmaple-life' has no registers" in result.stderr
    assert "the tenants there are: example-life, 國泰人壽" in result.stderr
    assert "regtrace load FOLDER --tenant exmaple-life" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_a_unicode_tenant_works_in_every_command(two_tenants: Path, tmp_path: Path) -> None:
    assert regtrace("coverage", "--tenant", "國泰人壽", "--json", store=two_tenants).returncode == 0
    token = regtrace("token", "create", "--role", "board", "--tenant", "國泰人壽", store=two_tenants)
    assert len(token.stdout.strip()) > 20
    regtrace("export", "--format", "xlsx", "--out", str(tmp_path / "out"), store=two_tenants)
    assert (tmp_path / "out" / "國泰人壽" / "traceability-matrix.xlsx").is_file()


def test_a_mistyped_store_is_not_created(tmp_path: Path) -> None:
    for command in (["trace"], ["coverage", "--tenant", "t"], ["token", "list"], ["validate", str(EXAMPLES),
                                                                                   "--tenant", "t"]):
        result = regtrace(*command, store=tmp_path / "typo", check=False)
        assert result.returncode == 3, (command, result.stderr)
        assert f"there is no regtrace store at {tmp_path / 'typo'}" in result.stderr
        assert not (tmp_path / "typo").exists()


def test_a_store_with_the_seed_but_no_tenant_is_an_error(tmp_path: Path) -> None:
    seeded_ladybug(tmp_path / "s").close()  # LadybugStore with the seed installed (tests/store_fixtures.py)
    for command in (["trace"], ["gaps"], ["coverage"]):
        result = regtrace(*command, store=tmp_path / "s", check=False)
        assert result.returncode == 3
        assert "holds no member company's registers yet" in result.stderr
        assert "regtrace load FOLDER --tenant NAME" in result.stderr
        assert "0.0" not in result.stdout


@pytest.mark.parametrize("name", ["國泰人壽", "example-life", "t1", "Fubon.Life_2"])
def test_tenant_names_the_rule_accepts(name: str) -> None:
    assert tenant_name(name) == name


@pytest.mark.parametrize("name", ["", "a/b", "a\\b", "..", "a..b", "-x", ".x", "a b", " a", "a\x00", "x" * 65,
                                  "國泰\n人壽"])
def test_tenant_names_the_rule_refuses(name: str) -> None:
    with pytest.raises(InputError, match="letters or digits"):
        tenant_name(name)


def test_load_and_token_create_share_the_rule(tmp_path: Path) -> None:
    result = regtrace("load", str(EXAMPLES), "--tenant", "a/b", store=tmp_path / "s", check=False)
    assert result.returncode == 2 and "letters or digits" in result.stderr
    regtrace("load", str(EXAMPLES), "--tenant", "ok", store=tmp_path / "s")
    result = regtrace("token", "create", "--role", "board", "--tenant", "a/b", store=tmp_path / "s", check=False)
    assert result.returncode == 2 and "letters or digits" in result.stderr

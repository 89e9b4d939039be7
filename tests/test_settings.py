"""Settings: every default in one place, each variable parsed by its setting's own converter."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.settings import SettingError, Settings, _setting


@dataclass(frozen=True)
class WithFlag(Settings):
    flag: bool = _setting(False, "A yes-or-no setting.")


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("off", False)]
)
def test_a_bool_setting_is_parsed_as_a_bool(monkeypatch, raw, value):
    monkeypatch.setenv("ASSISTANT_FLAG", raw)
    assert WithFlag.from_env().flag is value


def test_each_setting_is_parsed_to_the_type_of_its_default(monkeypatch):
    monkeypatch.setenv("ASSISTANT_DEFAULT_K", "3")
    monkeypatch.setenv("ASSISTANT_LEXICAL_WEIGHT", "0.5")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", "/tmp/somewhere")
    monkeypatch.setenv("ASSISTANT_ALLOWED_ORIGINS", "https://a.example, ,https://b.example")
    settings = Settings.from_env()
    assert settings.default_k == 3 and settings.lexical_weight == 0.5
    assert settings.index_dir == Path("/tmp/somewhere")
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    for f in fields(Settings):
        assert isinstance(getattr(Settings(), f.name), type(f.default)), f.name


def test_a_value_that_cannot_be_read_names_the_variable(monkeypatch):
    monkeypatch.setenv("ASSISTANT_DEFAULT_K", "five")
    with pytest.raises(SettingError, match="ASSISTANT_DEFAULT_K='five' cannot be read"):
        Settings.from_env()
    result = CliRunner().invoke(cli, ["settings"], env={"ASSISTANT_DEFAULT_K": "five"})
    assert result.exit_code == 1 and "ASSISTANT_DEFAULT_K='five' cannot be read" in result.output
    assert "Traceback" not in result.output


def test_defaults_are_read_from_the_settings_class():
    assert Settings.default("max_question_chars") == Settings().max_question_chars


def test_the_readme_settings_table_is_generated_from_the_settings(capsys):
    from cogapp import Cog

    from assistant.settings import ROOT

    status = Cog().main(["cog", "--check", "--diff", str(ROOT / "README.md")])
    assert status == 0, "the README's settings table is stale: run `cog -r README.md`\n" + capsys.readouterr().out

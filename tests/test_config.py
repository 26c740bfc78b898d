"""Configuration: defaults, lookup order, ${VAR} substitution, validation messages, the CLI.

Every test isolates the environment (no ~/.workbench, no inherited WORKBENCH_* variables).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

import workbench.cli.config_cmd  # noqa: F401  (registers `workbench config`)
from workbench.cli.common import cli
from workbench.core.config import Settings, find_config_file, load_settings, substitute_env
from workbench.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.yaml"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No inherited configuration; HOME points into tmp so ~/.workbench is never read."""
    for var in ("WORKBENCH_HOME", "WORKBENCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    fake_user_home = tmp_path / "user"
    fake_user_home.mkdir()
    monkeypatch.setenv("HOME", str(fake_user_home))
    return fake_user_home


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    return path


# -- defaults ------------------------------------------------------------------------------
def test_defaults_without_any_file(tmp_path: Path) -> None:
    s = load_settings(home=tmp_path)
    assert s.home == tmp_path.resolve()
    assert s.warehouse.backend == "duckdb"
    assert s.warehouse.row_limit == 10_000
    assert s.planner.mode == "offline"
    assert s.invoker.backend == "local"
    assert s.serve.host == "127.0.0.1"
    assert s.as_of is None
    assert s.duckdb_path == tmp_path.resolve() / "data" / "warehouse.duckdb"
    assert s.log_dir == tmp_path.resolve() / "logs"


def test_default_home_is_dot_workbench_then_env(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings().home == (clean_env / ".workbench").resolve()
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "wb"))
    assert load_settings().home == (tmp_path / "wb").resolve()


def test_effective_as_of(tmp_path: Path) -> None:
    assert load_settings(home=tmp_path).effective_as_of == dt.date.today()
    pinned = load_settings({"as_of": "2026-06-30"}, home=tmp_path)
    assert pinned.effective_as_of == dt.date(2026, 6, 30)


# -- lookup order ----------------------------------------------------------------------------
def test_lookup_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    in_home = write(home / "config.yaml", {"warehouse": {"row_limit": 3}})
    via_env = write(tmp_path / "env.yaml", {"warehouse": {"row_limit": 2}})
    explicit = write(tmp_path / "explicit.yaml", {"warehouse": {"row_limit": 1}})
    monkeypatch.setenv("WORKBENCH_HOME", str(home))

    # $WORKBENCH_HOME/config.yaml beats the defaults
    assert find_config_file() == in_home
    assert load_settings().warehouse.row_limit == 3
    # $WORKBENCH_CONFIG beats $WORKBENCH_HOME/config.yaml
    monkeypatch.setenv("WORKBENCH_CONFIG", str(via_env))
    assert find_config_file() == via_env
    assert load_settings().warehouse.row_limit == 2
    # --config beats $WORKBENCH_CONFIG
    assert find_config_file(explicit) == explicit
    assert load_settings(explicit).warehouse.row_limit == 1
    # without any file: built-in defaults
    monkeypatch.delenv("WORKBENCH_CONFIG")
    in_home.unlink()
    assert find_config_file() is None
    assert load_settings().warehouse.row_limit == 10_000


def test_home_argument_selects_config_file(tmp_path: Path) -> None:
    write(tmp_path / "config.yaml", {"memory": {"max_turns": 4}})
    assert load_settings(home=tmp_path).memory.max_turns == 4


def test_missing_explicit_or_env_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path / "nope.yaml")
    assert err.value.fields["key"] == "--config"
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "gone.yaml"))
    with pytest.raises(ConfigError, match="WORKBENCH_CONFIG"):
        load_settings()


def test_workbench_home_beats_home_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.yaml", {"home": str(tmp_path / "from_file")})
    assert load_settings(cfg).home == (tmp_path / "from_file").resolve()
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "from_env"))
    assert load_settings(cfg).home == (tmp_path / "from_env").resolve()
    assert load_settings(cfg, home=tmp_path / "arg").home == (tmp_path / "arg").resolve()


def test_invalid_yaml_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path / "bad.yaml", "warehouse: [unclosed\n"))
    with pytest.raises(ConfigError, match="mapping"):
        load_settings(write(tmp_path / "list.yaml", "- a\n- b\n"))


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.yaml", "")
    assert load_settings(empty, home=tmp_path) == load_settings(home=tmp_path)


# -- substitution ----------------------------------------------------------------------------
def test_substitution_typed_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WB_PORT", "9001")
    monkeypatch.setenv("WB_CACHE", "false")
    monkeypatch.setenv("WB_TIMEOUT", "2.5")
    monkeypatch.setenv("WB_REGION", "eu-west-1")
    cfg = write(
        tmp_path / "c.yaml",
        "serve:\n  port: ${WB_PORT}\n"
        "cache:\n  enabled: ${WB_CACHE}\n"
        "warehouse:\n  timeout_seconds: ${WB_TIMEOUT}\n  row_limit: ${WB_ROWS:-250}\n"
        "  athena:\n    s3_output: s3://bucket/${WB_REGION}/results\n    s3_data: ${WB_UNSET:-}\n"
        "aws:\n  region: ${WB_REGION}\n"
        "auth:\n  admin_username: ${WB_ADMIN:-007}\n"
        "as_of: ${WB_AS_OF:-2026-06-30}\n",
    )
    s = load_settings(cfg)
    assert s.serve.port == 9001 and isinstance(s.serve.port, int)
    assert s.cache.enabled is False
    assert s.warehouse.timeout_seconds == 2.5
    assert s.warehouse.row_limit == 250
    assert s.warehouse.athena.s3_output == "s3://bucket/eu-west-1/results"
    assert s.warehouse.athena.s3_data is None  # only a variable, and empty: not set
    assert s.aws.region == "eu-west-1"
    assert s.auth.admin_username == "007"  # a string key keeps the text, leading zeros and all
    assert s.as_of == dt.date(2026, 6, 30)


def test_substitute_env_function() -> None:
    env = {"A": "1", "B": "x"}
    tree = {"n": "${A}", "s": "pre-${B}-post", "l": ["${B}", 3], "d": "${C:-dflt}", "e": "$${A}"}
    assert substitute_env(tree, env) == {
        "n": "1",
        "s": "pre-x-post",
        "l": ["x", 3],
        "d": "dflt",
        "e": "${A}",
    }


def test_unset_variable_names_key_and_variable(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.yaml", "aws:\n  region: ${WB_SURELY_UNSET_VAR}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert err.value.fields["key"] == "aws.region"
    assert "WB_SURELY_UNSET_VAR" in str(err.value)
    assert ":-default" in str(err.value)  # tells how to give a fallback


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "key", "must_mention"),
    [
        (
            {"warehouse": {"backend": "oracle"}},
            "warehouse.backend",
            ["'duckdb'", "'redshift'", "'athena'", "oracle"],
        ),
        ({"planner": {"mode": "magic"}}, "planner.mode", ["'offline'", "'bedrock'", "'auto'"]),
        ({"invoker": {"backend": "k8s"}}, "invoker.backend", ["'local'", "'lambda'"]),
        ({"logging": {"level": "LOUD"}}, "logging.level", ["'DEBUG'", "'INFO'", "LOUD"]),
        ({"data": {"scale": "huge"}}, "data.scale", ["'tiny'", "'large'"]),
        (
            {"warehouse": {"row_limit": 0}},
            "warehouse.row_limit",
            ["greater than or equal to 1", "0"],
        ),
        ({"serve": {"port": 70000}}, "serve.port", ["less than or equal to 65535"]),
        ({"serve": {"port": "http"}}, "serve.port", ["valid integer", "http"]),
        ({"invoker": {"lambda": {"memory_mb": 64}}}, "invoker.lambda.memory_mb", ["128"]),
        ({"cache": {"enabled": "maybe"}}, "cache.enabled", ["valid boolean"]),
        ({"as_of": "yesterday-ish"}, "as_of", ["date"]),
        ({"serve": {"host": "0.0.0.0"}}, "serve.host", ["loopback", "0.0.0.0"]),
        ({"serve": {"host": "192.168.1.5"}}, "serve.host", ["loopback"]),
    ],
)
def test_bad_values_name_key_and_allowed_values(
    tmp_path: Path, config: dict[str, Any], key: str, must_mention: list[str]
) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(config, home=tmp_path)
    assert err.value.fields["key"] == key
    text = str(err.value)
    assert key in text
    for fragment in must_mention:
        assert fragment in text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_hosts_accepted(tmp_path: Path, host: str) -> None:
    assert load_settings({"serve": {"host": host}}, home=tmp_path).serve.host == host


def test_unknown_keys_list_allowed_keys_with_suggestion(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"warehouse": {"row_limt": 5}, "planer": {}}, home=tmp_path)
    issues = err.value.issues
    row = next(i for i in issues if i.startswith("warehouse.row_limt:"))
    assert "Did you mean 'row_limit'?" in row
    assert "backend" in row and "timeout_seconds" in row  # the allowed keys of that section
    top = next(i for i in issues if i.startswith("planer:"))
    assert "Did you mean 'planner'?" in top


def test_lambda_alias_key(tmp_path: Path) -> None:
    s = load_settings({"invoker": {"lambda": {"memory_mb": 2048}}}, home=tmp_path)
    assert s.invoker.lambda_.memory_mb == 2048
    with pytest.raises(ConfigError) as err:
        load_settings({"invoker": {"lambda": {"memroy_mb": 1}}}, home=tmp_path)
    assert "Did you mean 'memory_mb'?" in str(err.value)


def test_several_problems_reported_at_once(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.yaml",
        "warehouse:\n  backend: oracle\n  row_limit: -1\n"
        "serve:\n  host: 0.0.0.0\n  port: ${WB_SURELY_UNSET_PORT}\n"
        "bogus: 1\n",
    )
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    keys = {issue.split(":", 1)[0] for issue in err.value.issues}
    assert keys == {"warehouse.backend", "warehouse.row_limit", "serve.host", "serve.port", "bogus"}
    assert "5 problem(s)" in err.value.message
    assert str(cfg) in err.value.message  # says which file


def test_settings_are_frozen_and_replace_validates(tmp_path: Path) -> None:
    s = load_settings(home=tmp_path)
    with pytest.raises(Exception):  # noqa: B017  (pydantic's frozen-instance error)
        s.warehouse.row_limit = 5  # type: ignore[misc]
    changed = s.replace(as_of=dt.date(2026, 1, 1))
    assert changed.as_of == dt.date(2026, 1, 1) and s.as_of is None
    with pytest.raises(Exception):  # noqa: B017
        s.replace(serve={"host": "10.0.0.1"})


def test_load_settings_accepts_settings_and_mapping(tmp_path: Path) -> None:
    s = load_settings({"memory": {"max_turns": 3}}, home=tmp_path)
    assert load_settings(s) is s
    moved = load_settings(s, home=tmp_path / "other")
    assert moved.home == (tmp_path / "other").resolve() and moved.memory.max_turns == 3


# -- config.example.yaml never drifts from the code ----------------------------------------------
def _leaf_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths |= _leaf_paths(annotation, key + ".")
        else:
            paths.add(key)
    return paths


def _yaml_paths(tree: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in tree.items():
        path = f"{prefix}{key}"
        paths.add(path)
        if isinstance(value, dict):
            paths |= _yaml_paths(value, path + ".")
    return paths


def test_example_documents_every_key() -> None:
    documented = _yaml_paths(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    missing = sorted(_leaf_paths(Settings) - documented)
    assert not missing, (
        f"config.example.yaml does not document {missing}: add each key with its default "
        "and a one-line comment (and a line in docs/configuration.md)."
    )


def test_example_equals_builtin_defaults(tmp_path: Path) -> None:
    example = load_settings(EXAMPLE, home=tmp_path)
    defaults = load_settings(home=tmp_path)
    diff = {
        k: (v, defaults.model_dump(by_alias=True)[k])
        for k, v in example.model_dump(by_alias=True).items()
        if v != defaults.model_dump(by_alias=True)[k]
    }
    assert example == defaults, f"config.example.yaml differs from the built-in defaults: {diff}"


def test_example_has_a_comment_for_every_key() -> None:
    """Each key line is preceded by a comment, possibly shared with the sibling keys just above
    it, or sits inside a commented mapping value (ttl_seconds: {sql_query: ...})."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip())

    def is_comment(j: int) -> bool:
        return j >= 0 and lines[j].strip().startswith("#")

    uncommented = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.endswith(":"):
            continue  # blank, comment, or a section header (its keys carry the comments)
        j = i - 1
        while (
            j >= 0 and lines[j].strip() and not is_comment(j) and indent(lines[j]) == indent(line)
        ):
            j -= 1
        header = lines[j].strip() if j >= 0 else ""
        covered = is_comment(j) or (
            header.endswith(":")
            and indent(lines[j]) < indent(line)
            and is_comment(j - 1)
            and _is_leaf_mapping_header(header[:-1])
        )
        if not covered:
            uncommented.append(stripped.split(":", 1)[0])
    assert not uncommented, f"keys without a comment in config.example.yaml: {uncommented}"


def _is_leaf_mapping_header(name: str) -> bool:
    """A key whose value is a free mapping (dict field), not a settings section."""
    return any(path.split(".")[-1] == name for path in _leaf_paths(Settings))


def test_docs_mention_every_section() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for path in sorted(_leaf_paths(Settings)):
        assert f"`{path.split('.')[-1]}`" in docs, f"docs/configuration.md does not describe {path}"


# -- CLI ---------------------------------------------------------------------------------------
def test_cli_config_check_ok_and_show(tmp_path: Path) -> None:
    write(tmp_path / "config.yaml", {"warehouse": {"row_limit": 77}})
    runner = CliRunner()
    result = runner.invoke(cli, ["--home", str(tmp_path), "config", "check"])
    assert result.exit_code == 0, result.output
    assert "Configuration OK" in result.output and "config.yaml" in result.output

    result = runner.invoke(cli, ["--home", str(tmp_path), "config", "show"])
    assert result.exit_code == 0, result.output
    body = yaml.safe_load(result.stdout)
    assert body["warehouse"]["row_limit"] == 77
    assert body["invoker"]["lambda"]["memory_mb"] == 1024  # YAML keys, not Python names
    assert "# source:" in result.stdout


def test_cli_config_check_reports_every_bad_key(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.yaml", {"warehouse": {"backend": "oracle"}, "serve": {"host": "0.0.0.0"}}
    )
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "--config", str(bad), "config", "check"]
    )
    assert result.exit_code == 2
    assert "warehouse.backend" in result.stderr and "serve.host" in result.stderr
    assert "Traceback" not in result.output


def test_cli_config_show_defaults_without_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "config", "show"])
    assert result.exit_code == 0
    assert "built-in defaults" in result.stdout


def test_cli_uses_workbench_config_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = write(tmp_path / "env.yaml", {"logging": {"level": "LOUD"}})
    monkeypatch.setenv("WORKBENCH_CONFIG", str(cfg))
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "config", "check"])
    assert result.exit_code == 2
    assert "logging.level" in result.stderr

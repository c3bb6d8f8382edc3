"""An unexpected crash is exit 3, never 1 (1 means "findings": a CI gate would read a crash as a finding).

Run through ``coach.cli.main``, the console script's entry point, since the code is given there for every
command. The traceback is shown only with ``--debug`` or ``COACH_DEBUG=1``.
"""

from __future__ import annotations

import sys

import pytest

from coach.cli import main
from coach.cli._common import EXIT_FAILED, EXIT_FINDINGS, EXIT_INTERNAL

SECRET = "客户身份证110105194912310021"


def _boom(*_: object, **__: object) -> None:
    raise RuntimeError(f"unexpected state while checking {SECRET}")


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["coach", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    return int(exited.value.code or 0)


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coach.cli.guard_cmds.guard_check", _boom)


def test_a_crash_is_exit_3_with_a_short_message_and_where_to_report(
    crashing: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "check", "您好") == EXIT_INTERNAL == 3
    err = capsys.readouterr().err
    assert "内部错误" in err and "RuntimeError" in err and "--debug" in err and "COACH_DEBUG" in err
    assert "Traceback" not in err and SECRET not in err  # the message may quote the customer's words


@pytest.mark.parametrize("debug", [["--debug"], []])
def test_the_traceback_is_shown_with_the_debug_flag_or_env(
    crashing: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], debug: list[str]
) -> None:
    if not debug:
        monkeypatch.setenv("COACH_DEBUG", "1")
    assert _run(monkeypatch, *debug, "check", "您好") == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" in err and "_boom" in err


def test_findings_and_bad_input_keep_their_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(monkeypatch, "check", "我保证明天全额退款给您") == EXIT_FINDINGS
    assert _run(monkeypatch, "check", "") == EXIT_FAILED

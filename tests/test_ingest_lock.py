"""The ingest lock works where fcntl does not exist (Windows), and the lease liveness check asks about a
process without os.kill(pid, 0), which on Windows terminates it (os.kill calls TerminateProcess for any
signal but the console ones). coach asks psutil, whose POSIX answer is os.kill(pid, 0) itself and whose
Windows answer is OpenProcess: the Windows path cannot run here, so the second test checks the answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.test_faults import write_corpus

WINDOWS_LIKE = textwrap.dedent('''
    import json, os, sys
    sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
''')


def _run(tmp_path: Path, body: str) -> dict:
    script = tmp_path / "child.py"
    script.write_text(WINDOWS_LIKE + textwrap.dedent(body), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COACH_EMBEDDINGS": "hash"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a subprocess ingest
def test_ingest_takes_its_lock_without_fcntl(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "docs")
    result = _run(tmp_path, f'''
        from pathlib import Path
        from coach.config import Settings
        from coach.ingest import ingest
        summary = ingest(Settings(home=Path({str(tmp_path / "home")!r}), embeddings="hash"), [Path({str(folder)!r})])
        print(json.dumps({{"added": summary.added}}))
    ''')
    assert result["added"] > 0


def test_a_lease_holder_on_this_machine_is_known_alive_or_gone(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    try:
        result = _run(tmp_path, f'''
            from coach.ingest import _dead_on_this_machine
            print(json.dumps({{"live": _dead_on_this_machine("{host} pid {sleeper.pid} 0000"),
                              "gone": _dead_on_this_machine("{host} pid {gone.stdout.strip()} 0000"),
                              "elsewhere": _dead_on_this_machine("other-host pid {sleeper.pid} 0000")}}))
        ''')
        assert sleeper.poll() is None
        assert result == {"live": False, "gone": True, "elsewhere": False}
    finally:
        sleeper.kill()
        sleeper.wait()

"""`budgetlens serve`: the command line it runs, and a clear error for a busy port."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from extractor.cli import main
from qa_app.commands.serve import APP, streamlit_args


def test_serve_runs_the_app_script_headless():
    args = streamlit_args(8765, "localhost")
    assert APP.name == "main.py" and APP.exists()
    assert args[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert args[args.index("--server.port") + 1] == "8765" and "--server.headless" in args


def test_busy_port_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETLENS_HOME", str(tmp_path / "home"))
    with socket.socket() as s:
        s.bind(("localhost", 0))
        s.listen()
        port = s.getsockname()[1]
        res = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert res.exit_code == 1 and f"port {port} on localhost is in use" in res.output
    assert "Traceback" not in res.output

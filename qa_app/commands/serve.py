"""`budgetlens serve`: the Streamlit app on one port, over the store in BUDGETLENS_HOME."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import click

APP = Path(__file__).resolve().parents[1] / "app" / "main.py"


def _port_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is not "in use"
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def streamlit_args(port: int, address: str) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.port", str(port), "--server.address", address, "--server.headless", "true",
            "--server.fileWatcherType", "none", "--server.runOnSave", "false", "--server.maxUploadSize", "200",
            "--browser.gatherUsageStats", "false", "--runner.magicEnabled", "false",
            "--client.toolbarMode", "minimal"]


@click.command()
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--address", default="localhost", show_default=True,
              help="Interface to bind; 0.0.0.0 makes the app reachable from other machines.")
def serve(port: int, address: str) -> None:
    """Open the app (问答 · 审核 · 文档 · 概览), e.g. `budgetlens serve --port 8501`.

    The app reads and writes the store in BUDGETLENS_HOME (default ./.budgetlens); its users are
    listed in BUDGETLENS_HOME/roster.json (created with a reviewer 审核员 and an analyst 分析员).
    """
    from extractor.config import home

    root = home()
    if not _port_free(address, port):
        raise click.ClickException(f"port {port} on {address} is in use: pass another one with --port")
    env = {**os.environ, "BUDGETLENS_HOME": str(root)}
    click.echo(f"budgetlens app: http://{address}:{port}  (BUDGETLENS_HOME={root}); Ctrl-C stops it", err=True)
    args = streamlit_args(port, address)
    if os.name == "posix":
        os.execve(sys.executable, args, env)  # one process: signals reach Streamlit directly
    sys.exit(subprocess.call(args, env=env))

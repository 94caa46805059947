"""``python run_sim.py app``: where it listens, what it refuses, and that it stops cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_port_in_use_is_refused_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["app", "--port", str(port), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"--port {port}" in lines[0] and "cannot listen there" in lines[0]
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_port_out_of_range_is_refused(tmp_path):
    result = runner.invoke(app, ["app", "--port", "70000", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--port" in result.output and "65535" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_zero_workers_are_refused(tmp_path):
    result = runner.invoke(app, ["app", "--port", str(free_port()), "--workers", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--workers" in result.output and "1" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_app_serves_this_machine_warns_when_exposed_and_stops_with_its_workers(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "run_sim.py"),
            "app",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "the app did not answer within 120 s"
                time.sleep(0.5)
        children = subprocess.run(
            ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert "reachable from other machines" in err
    # The server and every worker process it started are gone.
    time.sleep(1)
    left = [pid for pid in children if os.path.exists(f"/proc/{pid}")]
    assert not left, f"processes left after the app stopped: {left}"

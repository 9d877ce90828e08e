"""``forecast run`` for a test session in the background (started by tests/conftest.py).

``python tests/background_run.py [--after FILE] RESULT TIMEOUT OUT [OPTION ...]`` waits for
FILE to exist if given (another run's result, at most TIMEOUT [s]), then runs
``forecast run --output-dir OUT OPTION ...`` and writes ``{"rc", "stdout", "stderr", "out"}``
to the JSON file RESULT in one step (:func:`forecast.files.write_atomic`), whatever happens:
the run's exit code (None if it did not end), its output, and why it did not end (killed
after TIMEOUT [s], stopped before it started, or this program's own traceback). SIGTERM is
passed on to the run, which stops its kernels and exits 130.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback

from forecast.files import write_atomic


def main(argv: list[str]) -> None:
    after = None
    if argv[0] == "--after":
        after, argv = argv[1], argv[2:]
    result_file, timeout, out, *options = argv
    result: dict[str, object] = {"rc": None, "stdout": "", "stderr": "", "out": out}
    running: list[subprocess.Popen[str]] = []

    def stop(signum: int, frame: object) -> None:
        if not running:
            raise SystemExit(f"stopped by signal {signum} before the run started")
        running[0].send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        deadline = time.monotonic() + float(timeout)
        while after and not os.path.exists(after) and time.monotonic() < deadline:
            time.sleep(0.5)
        running.append(subprocess.Popen(
            [sys.executable, "-m", "forecast", "run", "--output-dir", out, *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        proc = running[0]
        try:
            result["stdout"], result["stderr"] = proc.communicate(timeout=float(timeout))
            result["rc"] = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            result.update(stdout=stdout, stderr=f"{stderr}\n(killed after {timeout} s)")
    except BaseException:
        result["stderr"] = f"{result['stderr']}\n{traceback.format_exc()}"
        raise
    finally:
        write_atomic(result_file, json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

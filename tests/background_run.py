"""``forecast run`` for a test session in the background (started by tests/conftest.py).

``python tests/background_run.py RESULT TIMEOUT OUT [OPTION ...]`` runs
``forecast run --output-dir OUT OPTION ...`` and writes ``{"rc", "stdout", "stderr", "out"}``
to the JSON file RESULT in one step (a temporary file renamed), whatever happens: the run's
exit code (None if it did not end), its output, and the reason it did not end (killed after
TIMEOUT [s], or this program's own traceback). SIGTERM is passed on to the run, which stops its
kernels and exits 130.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback


def main(result_file: str, timeout: str, out: str, *options: str) -> None:
    result: dict[str, object] = {"rc": None, "stdout": "", "stderr": "", "out": out}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "forecast", "run", "--output-dir", out,
                                 *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        signal.signal(signal.SIGTERM, lambda signum, frame: proc.send_signal(signum))
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
        with open(f"{result_file}.tmp", "w", encoding="utf-8") as handle:
            json.dump(result, handle)
        os.replace(f"{result_file}.tmp", result_file)


if __name__ == "__main__":
    main(*sys.argv[1:])

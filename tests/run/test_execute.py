"""Tests of executing one notebook: error lines and kernel-start retries (papermill mocked)."""

from __future__ import annotations

from pathlib import Path

from forecast.run import execute


def test_error_line_from_an_ipython_traceback():
    source = "a = 1\nb = 2\nraise ValueError('x')\n"
    tb = ["\x1b[31m-----\x1b[39m", "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m"
          "\x1b[32m, line 3\x1b[39m\n\x1b[32m----> \x1b[39m\x1b[32m3\x1b[39m raise",
          "ValueError: x"]
    assert execute._error_line(tb, source) == (3, "raise ValueError('x')")
    assert execute._error_line([], source) == (None, "a = 1")


def test_kernel_start_failure_is_retried_once(tmp_path, monkeypatch):
    import papermill

    calls = []

    def flaky(src, out, **kwargs):
        calls.append(out)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        Path(out).write_text("{}")

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    src = tmp_path / "01_x.ipynb"
    res = execute.execute_notebook(src, tmp_path / "out.ipynb", {}, cwd=tmp_path, timeout=5)
    assert (res.status, res.attempts) == ("ok", 2)


def test_kernel_that_never_starts_fails_with_one_line(tmp_path, monkeypatch):
    import papermill

    def dead(src, out, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info\nmore")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    res = execute.execute_notebook(tmp_path / "01_x.ipynb", tmp_path / "o.ipynb", {},
                                    cwd=tmp_path, timeout=5)
    assert res.status == "failed" and res.attempts == execute.KERNEL_START_ATTEMPTS
    assert res.error == ("kernel 'forecast' could not run the notebook: RuntimeError: "
                         "Kernel died before replying to kernel_info")

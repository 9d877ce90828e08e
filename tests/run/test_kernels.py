"""Tests of the run's kernel management: the live-kernel registry, socket folders, the manager
class (no real kernel is started here; tests/run/test_pipeline.py runs real ones)."""

from __future__ import annotations

import os

import pytest

from forecast.run import kernels


class _FakeManager:
    def __init__(self, has_kernel: bool = True) -> None:
        self.has_kernel = has_kernel
        self.interrupts = 0

    async def interrupt_kernel(self) -> None:
        self.interrupts += 1


def test_live_kernels_interrupts_only_registered_running_kernels():
    live = kernels.LiveKernels()
    running, starting, gone = _FakeManager(), _FakeManager(has_kernel=False), _FakeManager()
    for manager in (running, starting, gone):
        live.add(manager)
    live.discard(gone)
    assert len(live) == 2
    live.interrupt_all()
    assert (running.interrupts, starting.interrupts, gone.interrupts) == (1, 0, 0)


def test_each_run_owns_its_registry():
    first, second = kernels.LiveKernels(), kernels.LiveKernels()
    first.add(_FakeManager())
    assert len(first) == 1 and len(second) == 0


def test_socket_dir_is_removed_however_the_block_ends():
    with pytest.raises(KeyboardInterrupt), kernels.kernel_socket_dir() as path:
        (path / "kernel.json").write_text("{}")
        assert path.name.startswith(kernels.SOCKET_DIR_PREFIX)
        raise KeyboardInterrupt
    assert not path.exists()


def test_manager_class_keeps_sockets_and_connection_file_in_its_folder(tmp_path):
    live = kernels.LiveKernels()
    manager = kernels.kernel_manager_class(live, tmp_path)(kernel_name=kernels.KERNEL_NAME)
    assert manager.transport == "ipc"
    assert manager.ip == str(tmp_path / "k")
    assert manager.connection_file == str(tmp_path / "kernel.json")


def test_socket_dirs_of_killed_processes_are_removed(tmp_path, monkeypatch):
    import socket
    import subprocess
    import sys

    from forecast.run.folder import LOCK_NAME

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    for name, owner in (("fc-kernel-dead", dead.pid), ("fc-kernel-live", os.getppid())):
        (tmp_path / name).mkdir()
        (tmp_path / name / LOCK_NAME).write_text(f"{owner} {socket.gethostname()} -\n")
    (tmp_path / "fc-kernel-unknown").mkdir()
    with kernels.kernel_socket_dir() as mine:
        assert mine.parent == tmp_path
        assert kernels.remove_stale_socket_dirs() == [tmp_path / "fc-kernel-dead"]
        assert mine.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fc-kernel-live", "fc-kernel-unknown"]

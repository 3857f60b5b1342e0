"""The memory settings of a batch job (matcher._memory)."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys

import pytest

from matcher._memory import batch_job


def test_batch_job_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with batch_job():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_batch_job_turns_it_back_on_when_the_block_fails():
    with pytest.raises(ValueError), batch_job():
        assert not gc.isenabled()
        raise ValueError("the import failed")
    assert gc.isenabled()


def test_batch_job_leaves_a_collector_turned_off_by_the_caller_off():
    gc.disable()
    try:
        with batch_job():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_reference_cycles_made_in_a_batch_job_are_freed_after_it():
    class Node:
        pass

    with batch_job():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert any(type(o) is Node for o in gc.get_objects())  # kept while the collector is off
    gc.collect()
    assert not any(type(o) is Node for o in gc.get_objects())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings: Linux only")
def test_the_allocator_keeps_freed_memory_on_glibc():
    # In a fresh process (the settings last for the process): set, and idempotent.
    code = "from matcher._memory import keep_freed_memory as k; print(k(), k())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    if platform.libc_ver()[0] != "glibc":
        assert out == ["False", "False"]
    else:
        assert out == ["True", "True"]

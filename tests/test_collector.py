"""The collector pause (fgrad/_collector.py): interrupt-safe, the caller's choices kept, memory bounded.

While a transform runs, the older generations' thresholds are raised out of reach (a
full collection would traverse the whole live graph) and young collections go on, so
cyclic garbage a traced function drops is collected as in a plain call.  An interrupt
landing anywhere in the pause or its release leaves the caller's settings in place.
"""

import gc
import random
import signal
import sys
import time
import tracemalloc

import numpy as np
import pytest

import fgrad
from fgrad import _collector
from fgrad._collector import _PAUSED

COLLECTOR_PY = _collector.__file__
OLDER_GENERATIONS_PAUSED = (_PAUSED, _PAUSED)

# 3.14's incremental collector has two generations and reads the thresholds otherwise;
# the package claims 3.10-3.13.
generational = pytest.mark.skipif(sys.version_info >= (3, 14), reason="generational collector (3.10-3.13) only")


@pytest.fixture(autouse=True)
def caller_settings_back():
    """The caller's settings before the test; put back after it (some tests change them)."""
    before = gc.get_threshold(), gc.isenabled()
    yield before
    gc.set_threshold(*before[0])
    gc.enable() if before[1] else gc.disable()
    assert not _collector._holders


def square(x):
    return x * x


def transforms():
    """One call of each transform kind (reverse, forward, Jacobian, nested)."""
    return [
        lambda: fgrad.grad(square)(3.0),
        lambda: fgrad.jvp(square, (3.0,), (1.0,)),
        lambda: fgrad.jacrev(np.sin)(np.ones(2)),
        lambda: fgrad.grad(fgrad.grad(square))(3.0),
    ]


# ---------------------------------------------------------------- what the pause is
@generational
def test_only_the_older_generations_wait_while_a_transform_runs(caller_settings_back):
    (t0, t1, t2), _ = caller_settings_back
    seen = []

    def f(x):
        seen.append((gc.isenabled(), gc.get_threshold()))
        return x * x

    fgrad.grad(f)(1.0)
    assert seen == [(True, (t0, *OLDER_GENERATIONS_PAUSED))]
    assert gc.get_threshold() == (t0, t1, t2) and gc.isenabled()


@generational
def test_young_collections_run_and_no_older_one_starts_during_a_long_chain():
    # A full collection would traverse every record of the live graph; a young one
    # scans only what was allocated since the last, so each record is scanned once.
    generations, tracing = [], [False]

    def on_collection(phase, info):
        if phase == "start" and tracing[0]:
            generations.append(info["generation"])

    def chain(x):
        tracing[0] = True
        for _ in range(30_000):
            x = np.sin(x) * 1.0001 + 0.001
        tracing[0] = False
        return x

    gc.collect()
    gc.callbacks.append(on_collection)
    try:
        fgrad.grad(chain)(0.5)
    finally:
        gc.callbacks.remove(on_collection)
    assert len(generations) >= 10 and set(generations) == {0}, generations


def test_cyclic_garbage_made_inside_a_traced_function_is_collected_as_it_goes():
    # 20k self-referencing lists with 8 KiB payloads: called directly, young collections
    # free them every few hundred; the old pause kept all 160 MiB until the transform returned.
    def make_garbage(x):
        for _ in range(20_000):
            junk = [bytes(8192)]
            junk.append(junk)
        return x * 2.0

    def peak(call):
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            call()
            return tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()

    direct = peak(lambda: make_garbage(1.0))
    under_grad = peak(lambda: fgrad.grad(make_garbage)(1.0))
    under_jvp = peak(lambda: fgrad.jvp(make_garbage, (1.0,), (1.0,)))
    assert direct < 40 * 2 ** 20
    assert under_grad < 2 * direct + 2 ** 21, (under_grad, direct)
    assert under_jvp < 2 * direct + 2 ** 21, (under_jvp, direct)


def test_a_keyword_argument_named_fn_reaches_the_traced_function():
    # The pause's own callable parameter is positional-only (the old one took `fn=`).
    assert fgrad.grad(lambda x, fn=1.0: x * fn)(2.0, fn=3.0) == 3.0


# ---------------------------------------------------------------- the caller's choices
def test_a_disabled_collector_stays_disabled_and_an_enabled_one_enabled():
    gc.disable()
    assert fgrad.grad(square)(1.0) == 2.0
    assert not gc.isenabled()
    gc.enable()
    assert fgrad.grad(square)(1.0) == 2.0
    assert gc.isenabled()


def test_disable_or_enable_inside_a_traced_function_is_kept():
    def disabling(x):
        gc.disable()
        return x * x

    def enabling(x):
        gc.enable()
        return x * x

    fgrad.grad(disabling)(1.0)
    assert not gc.isenabled()  # the old pause switched it back on
    fgrad.grad(enabling)(1.0)
    assert gc.isenabled()
    gc.disable()
    fgrad.jvp(enabling, (1.0,), (1.0,))
    assert gc.isenabled()


def test_thresholds_set_before_are_restored_and_those_set_inside_are_kept():
    gc.set_threshold(500, 7, 9)
    for call in transforms():
        call()
        assert gc.get_threshold() == (500, 7, 9)

    def retuning(x):
        gc.set_threshold(900, 11, 12)
        return x * x

    fgrad.grad(retuning)(1.0)
    assert gc.get_threshold() == (900, 11, 12)


@generational
def test_an_inner_transform_ending_does_not_end_the_outer_pause():
    seen = []

    def inner(x):
        seen.append(gc.get_threshold()[1:])
        return x * x

    def outer(x):
        y = fgrad.grad(inner)(x)
        seen.append(gc.get_threshold()[1:])  # the inner transform has returned
        return y * x

    fgrad.grad(outer)(2.0)
    assert seen == [OLDER_GENERATIONS_PAUSED] * 2


@generational
def test_a_transform_in_another_thread_ending_does_not_end_this_one(caller_settings_back):
    import threading

    inside, finish = threading.Event(), threading.Event()
    seen = []

    def slow(x):
        inside.set()
        assert finish.wait(10)
        seen.append(gc.get_threshold()[1:])
        return x * x

    worker = threading.Thread(target=lambda: fgrad.grad(slow)(1.0))
    worker.start()
    assert inside.wait(10)
    fgrad.grad(square)(1.0)  # starts and ends while `slow` runs
    finish.set()
    worker.join(10)
    assert seen == [OLDER_GENERATIONS_PAUSED]
    assert gc.get_threshold() == caller_settings_back[0]


# ---------------------------------------------------------------- interrupts
class _InterruptingGC:
    """The `gc` module, except that its `n`-th call raises KeyboardInterrupt (before or after acting)."""

    def __init__(self, n, after):
        self.calls, self.n, self.after, self.fired = 0, n, after, False

    def __getattr__(self, name):
        real = getattr(gc, name)

        def call(*args):
            self.calls += 1
            if self.calls == self.n and not self.after:
                self.fired = True
                raise KeyboardInterrupt
            out = real(*args)
            if self.calls == self.n:
                self.fired = True
                raise KeyboardInterrupt
            return out

        return call


def _assert_settings_back(settings):
    assert (gc.get_threshold(), gc.isenabled()) == settings
    assert not _collector._holders


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("which", range(4), ids=["grad", "jvp", "jacrev", "nested-grad"])
def test_an_interrupt_in_any_call_to_gc_leaves_the_callers_settings(monkeypatch, caller_settings_back, which, after):
    call = transforms()[which]
    for n in range(1, 100):
        fake = _InterruptingGC(n, after)
        monkeypatch.setattr(_collector, "gc", fake)
        try:
            call()
        except KeyboardInterrupt:
            assert fake.fired
        monkeypatch.setattr(_collector, "gc", gc)
        _assert_settings_back(caller_settings_back)
        if not fake.fired:  # n is past the last call: every position has been tried
            break
    assert n > 2


@pytest.mark.parametrize("name", ["_settle", "_release"])
@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
def test_an_interrupt_at_any_call_of_the_helpers_leaves_the_callers_settings(
        monkeypatch, caller_settings_back, name, after):
    real = getattr(_collector, name)
    for n in range(1, 100):
        calls = [0]

        def interrupted(*args):
            calls[0] += 1
            if calls[0] == n and not after:
                raise KeyboardInterrupt
            out = real(*args)
            if calls[0] == n:
                raise KeyboardInterrupt
            return out

        monkeypatch.setattr(_collector, name, interrupted)
        fired = False
        try:
            fgrad.grad(fgrad.grad(square))(3.0)
            fgrad.jvp(square, (3.0,), (1.0,))
        except KeyboardInterrupt:
            fired = True
        monkeypatch.setattr(_collector, name, real)
        _assert_settings_back(caller_settings_back)
        if not fired:
            break
    assert n > 2


@pytest.mark.skipif(sys.gettrace() is not None, reason="a tracer (coverage, debugger) is installed")
@pytest.mark.parametrize("which", range(4), ids=["grad", "jvp", "jacrev", "nested-grad"])
def test_an_interrupt_at_any_line_of_the_collector_module_leaves_the_callers_settings(caller_settings_back, which):
    # sys.settrace reports every call, line and return in fgrad/_collector.py; the k-th
    # report raises KeyboardInterrupt there (a tracer that raises is removed, so exactly
    # one interrupt per run), for every k until a run sees fewer than k reports.
    call = transforms()[which]

    def run(k):
        events = [0]

        def local(frame, event, arg):
            events[0] += 1
            if events[0] == k:
                raise KeyboardInterrupt
            return local

        def tracer(frame, event, arg):
            return local(frame, event, arg) if frame.f_code.co_filename == COLLECTOR_PY else None

        sys.settrace(tracer)
        try:
            call()
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        return events[0]

    k = 1
    while run(k) >= k:
        _assert_settings_back(caller_settings_back)
        k += 1
    _assert_settings_back(caller_settings_back)
    assert k > 10


def test_thresholds_left_raised_with_no_pause_running_are_restored_by_the_next_transform(caller_settings_back):
    # What a second interrupt microseconds after the first could leave (fgrad/_collector.py).
    fgrad.grad(square)(1.0)
    gc.set_threshold(caller_settings_back[0][0], _PAUSED, _PAUSED)
    assert not _collector._holders
    fgrad.grad(square)(1.0)
    assert gc.get_threshold() == caller_settings_back[0]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_real_timer_interrupts_never_leave_the_collector_changed(caller_settings_back):
    # A one-shot timer whose handler raises KeyboardInterrupt, at a random moment within
    # a loop of tiny gradients (so it often lands in the pause or its release); after
    # each, the caller's settings are back.  The old pause left the collector disabled
    # after ~2% of such interrupts.
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    g = fgrad.grad(square)
    rng = random.Random(0)
    previous = signal.signal(signal.SIGALRM, interrupt)
    interrupts = 0
    deadline = time.monotonic() + 1.5
    try:
        while time.monotonic() < deadline:
            try:
                signal.setitimer(signal.ITIMER_REAL, rng.uniform(1e-6, 2e-4))
                while True:
                    g(1.0)
            except KeyboardInterrupt:
                interrupts += 1
            assert (gc.get_threshold(), gc.isenabled()) == caller_settings_back, f"after {interrupts} interrupts"
            assert not _collector._holders
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert interrupts > 100
    assert g(3.0) == 6.0

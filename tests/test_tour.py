"""The tour (`python -m fgrad`) runs and prints the reference numbers."""

import subprocess
import sys


def test_tour_prints_reference_gradients():
    out = subprocess.run([sys.executable, "-m", "fgrad"], capture_output=True, text=True, check=True).stdout
    assert "grad goldstein-price at (1, 1)  = (-5376.0, 8064.0)" in out
    assert "f'(2) = 24.0, f''(2) = 44.0" in out
    assert "taylor_sin(pi/4) = 0.7071064695751781, derivative = 0.7071032148228457" in out


def test_tour_prints_the_newton_runs():
    out = subprocess.run([sys.executable, "-m", "fgrad"], capture_output=True, text=True, check=True).stdout
    assert ("x^4 - 2x^2 from 2.0, iterates: 2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978, "
            "1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0") in out
    assert "Rosenbrock from (-1.2, 1), line_search='watchdog': x = [1. 1.] in 7 iterations, f = 0.0" in out
    assert "Rosenbrock from (-1.2, 1), line_search='armijo': x = [1. 1.] in 25 iterations" in out


def test_unknown_command_exits_with_usage():
    proc = subprocess.run([sys.executable, "-m", "fgrad", "bogus"], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage" in proc.stderr

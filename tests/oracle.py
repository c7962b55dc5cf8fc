"""oracle.py - what the Python oracles of pscan and preduce share
(pscan_model.py, preduce_exact.py import it): TAP output, and the double
nearest an exact value."""
import math

_tests = 0
_failures = 0


def ok(cond, name, diag=""):
    """Prints TAP's "ok N - name", or "not ok N - name" and the first 20
    lines of diag as comments."""
    global _tests, _failures
    _tests += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (_tests, name))
    if not cond:
        _failures += 1
        for line in str(diag).splitlines()[:20]:
            print("# " + line)


def plan():
    """Prints the plan (1..N) after the tests; returns the exit status,
    1 when one failed."""
    print("1..%d" % _tests)
    return 1 if _failures else 0


def rounded(q):
    """The double nearest to a Fraction (Python rounds correctly), or an
    infinity past the double range."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf

"""Benchmarks of the helpline (issue 6): run ``python -m bench [--quick]`` or ``make bench``.

Not tests: nothing here asserts a time. Each section prints a table; the README's Performance
section records what they printed and on which machine."""

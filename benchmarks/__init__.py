"""Benchmarks of welkin against raw HTTP and the old ``welkin`` package (``nox -s bench``)."""

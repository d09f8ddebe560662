"""The test harness shared by every folder: real servers (`servers`), Server-Sent Events
(`sse`) and waiting for a condition (`waiting`).

tests/conftest.py sits beside this package, so pytest puts tests/ on the path and the
package imports as `harness.servers` from any test folder. Its fixtures (`live`) are
offered by tests/conftest.py.
"""

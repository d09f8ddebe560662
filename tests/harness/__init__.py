"""What tests share, imported by where it comes from (`from harness.accounts import People`).

tests/ has no `__init__.py`: pytest puts tests/ on the path for tests/conftest.py, so this
package imports as `harness` from every test folder. Its fixtures are offered by the
conftest.py files that use them.

For every test:

- `servers`: real servers on a pre-bound socket, ports for server processes, and
  waiting for a server process to answer;
- `sse`: reading Server-Sent Events; `waiting`: waiting for a condition, not a time;
- `services`: skipping (or, in CI, failing) a test whose service is missing;
- `shared_redis`: the shared Redis server, a key prefix per test;
- `browser`: a `denkdag serve` process with the seed session, and Chromium;
- `faults`: PostgreSQL and Redis servers of a test's own, to stop and start again.

The data and helpers of one test folder, named after it: `accounts`, `events`,
`event_profiles`, `event_reports`, `exports`, `images`, `opinions`; `decks` holds small
decks shared by several folders.
"""

"""One cluster for the whole ``make cluster-test`` session (tests/helpers/cluster.py)."""

import signal

import pytest

from tests.helpers.cluster import Cluster


@pytest.fixture(scope="session")
def cluster():
    # A CI timeout or `kill` sends SIGTERM, which would end Python without running the
    # teardown below: turned into KeyboardInterrupt, it stops the servers like Ctrl-C does.
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with Cluster() as running:
            yield running
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def node_a(cluster):
    return cluster.nodes["A"]


@pytest.fixture(scope="session")
def node_b(cluster):
    return cluster.nodes["B"]


@pytest.fixture(scope="session")
def editor_on_a(node_a):
    """The newsroom's editor, signed in to the admin of node A only."""
    from tests.helpers.cluster import Editor

    editor = Editor(node_a.url)
    editor.sign_in()
    return editor


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed check shows what each node logged during it (tracebacks of a 500, say)."""
    report = yield
    running = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
    if report.failed and running is not None and call.when == "call":
        for name, node in running.nodes.items():
            report.sections.append((f"node {name} output", node.stack.log()[-6000:]))
    return report

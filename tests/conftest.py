"""Shared fixtures: every engine-dependent test runs on FalkorDB and on a real Neo4j 5.

FalkorDB: one embedded server for the session, one fresh graph per test (graphs are
independent keys, so a graph per test isolates at no cost).

Neo4j: one server for the session (``tests/neo4j/server start`` in a session temp dir,
launched in the background at collection so the JVM starts while other tests run;
Neo4j 5.26 Community from Maven Central, needs ``java`` and ``mvn``).  Community has one
user database, so "a fresh graph" is that database emptied and its schema set up again
(idempotent).  A module-scoped fixture that keeps a synced graph for its module holds the
database; a function-scoped store asking for it meanwhile is a test-ordering bug and fails
loudly rather than wiping the module's graph.

The ``engine`` fixture is parametrised, so test ids read ``test_x[falkordb]`` /
``test_x[neo4j]``.  Without java/mvn the Neo4j half is skipped with one reason line;
``REDGOV_REQUIRE_NEO4J=1`` (set by .ci/run) turns that into a failure.  Tests of FalkorDB
internals (the embedded server, the graph copy-and-rename) ask for ``falkor_store``.

Two pytest-xdist workers (``-n 2``): every Neo4j test on one, the other files on the other
(see :func:`pytest_collection_modifyitems`); the controller starts Neo4j and the lint once
for both, and each worker has its own embedded FalkorDB.  ``-n 0`` runs in one process.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cypher_lint
import pytest
from redgov.graph.stores.base import Store
from redgov.graph.stores.embedded_server import ServerInfo, ensure_server, stop_server
from redgov.graph.stores.falkordb_store import FalkorStore

ENGINES = ("falkordb", "neo4j")
NEO4J_SERVER = Path(__file__).resolve().parent / "neo4j" / "server"
NEO4J_LIB_STAMP = NEO4J_SERVER.parent / "lib" / ".pom.sha256"
#: Seconds the suite's Neo4j keeps a query plan (tests/neo4j/server ``REDGOV_NEO4J_REPLAN_S``;
#: ``0`` in the environment restores Neo4j's own replanning).
REPLAN_S = "86400"
#: Neo4j's database is emptied in batches: a large graph left by a test (a district demo
#: synced twice) does not fit one transaction in the test server's heap.
# The writer's own lock node (a RedgovLock, taken in the same transaction) is not counted:
# deleting it would count 1 for ever and the wipe would never end.
_WIPE = ("MATCH (n) WHERE NOT n:RedgovLock WITH n LIMIT 5000 DETACH DELETE n "
         "RETURN count(*) AS n")
#: The kept re-sync bundle's parts (loaders/kept.py) hold about a megabyte of text each,
#: which a Neo4j deletion keeps in the transaction's memory: they go a few at a time first.
_WIPE_KEPT = "MATCH (k:SyncKept) WITH k LIMIT 8 DELETE k RETURN count(*) AS n"


#: Every server the tests start bounds one query's memory to 256 MiB (FalkorDB's
#: QUERY_MEM_CAPACITY, Neo4j's db.memory.transaction.max), so a runaway read in a test fails
#: fast instead of taking the shared machine's memory (tests/test_read_memory.py).
os.environ["REDGOV_READ_MEMORY"] = "256"


def _neo4j_unavailable() -> str | None:
    """Why the Neo4j half cannot run here, or None."""
    missing = [tool for tool in ("java", "mvn") if not shutil.which(tool)]
    if "mvn" in missing and NEO4J_LIB_STAMP.exists():  # jars already fetched
        missing.remove("mvn")
    if missing:
        return f"no {' or '.join(missing)} on PATH (JDK 17+ and Maven run a real Neo4j 5.26)"
    return None


def _neo4j_required() -> bool:
    return os.environ.get("REDGOV_REQUIRE_NEO4J", "") not in ("", "0")


def pytest_report_header(config: pytest.Config) -> str:
    why = _neo4j_unavailable()
    return "engines: falkordb (embedded), " + (
        f"neo4j skipped — {why}" if why else "neo4j (tests/neo4j/server, one per session)"
    )


@dataclass
class Neo4jServer:
    url: str
    password: str
    home: Path


@dataclass
class EngineUnderTest:
    """One engine for the session: how to open a store on it and how the CLI reaches it."""

    name: str
    home: Path  # REDGOV_HOME of the session (sync log, PII key, embedded server)
    falkor: ServerInfo | None = None
    neo4j: Neo4jServer | None = None
    holder: str | None = None  # Neo4j: who currently owns the one database

    def open(self, graph: str) -> Store:
        if self.neo4j is not None:
            from redgov.graph.stores.neo4j_store import Neo4jStore

            return Neo4jStore(self.neo4j.url, user="neo4j", password=self.neo4j.password)
        assert self.falkor is not None
        return FalkorStore(
            host=self.falkor.host, port=self.falkor.port, password=self.falkor.password,
            graph=graph, description=f"test graph {graph}",
        )

    def env(self, graph: str) -> dict[str, str]:
        """Variables the CLI (and the dashboard) take to reach this engine's test graph."""
        env = {"REDGOV_HOME": str(self.home), "REDGOV_GRAPH": graph}
        if self.neo4j is not None:
            env |= {"REDGOV_STORE": self.neo4j.url, "NEO4J_USER": "neo4j",
                    "NEO4J_PASSWORD": self.neo4j.password}
        else:
            env["REDGOV_STORE"] = ""
        return env

    def spec(self, graph: str) -> tuple[str, dict[str, str]]:
        """A ``--store`` value for this engine's test graph, and the secrets it needs."""
        if self.neo4j is not None:
            return self.neo4j.url, {"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": self.neo4j.password}
        assert self.falkor is not None
        return (f"falkordb://127.0.0.1:{self.falkor.port}/{graph}",
                {"FALKORDB_PASSWORD": self.falkor.password or ""})

    @contextlib.contextmanager
    def fresh_graph(self, owner: str) -> Iterator[str]:
        """An empty graph with the schema set up; yields its name (FalkorDB) or a label."""
        graph = f"t_{uuid.uuid4().hex[:12]}"
        store = self.open(graph)
        try:
            if self.neo4j is not None:
                if self.holder is not None:
                    raise RuntimeError(
                        f"Neo4j's one database is held by {self.holder}; {owner} cannot get a "
                        "fresh one meanwhile (run it outside that module or use that fixture)"
                    )
                self.holder = owner
                while store.write_meta(_WIPE_KEPT)[0]["n"]:
                    pass
                while True:
                    with store.transaction() as w:
                        if not int(w.run(_WIPE)[0]["n"]):
                            break
            store.setup_schema()
            yield graph
        finally:
            if self.neo4j is not None:
                if self.holder == owner:
                    self.holder = None
            else:
                assert isinstance(store, FalkorStore)
                for name in (graph, f"{graph}__staging", f"{graph}__old"):
                    if store._graph_exists(name):
                        store._redis.execute_command("GRAPH.DELETE", name)
            store.close()

    @contextlib.contextmanager
    def fresh_store(self, owner: str) -> Iterator[Store]:
        """A store on a fresh graph, with REDGOV_HOME set while it is in use."""
        with self.fresh_graph(owner) as graph, pytest.MonkeyPatch.context() as mp:
            mp.setenv("REDGOV_HOME", str(self.home))
            store = self.open(graph)
            try:
                yield store
            finally:
                store.close()


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("redgov-home")
    yield home
    stop_server(home)


@pytest.fixture(autouse=True)
def _isolated_home(session_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real data directory or an inherited store choice."""
    monkeypatch.setenv("REDGOV_HOME", str(session_home))
    for name in ("REDGOV_STORE", "REDGOV_GRAPH", "NEO4J_USER", "NEO4J_PASSWORD",
                 "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def district_demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """``copy_to(folder)``: the district demo export (seed 1) copied into ``folder``.

    Generated once a session (seconds of CPU; the demo is deterministic, which
    tests/test_demo.py checks), then copied per user, so each test still owns its files.
    """
    from redgov.loaders.demo import generate

    master = tmp_path_factory.mktemp("district-demo-seed1") / "export"
    generate(master, scale="district", seed=1)

    def copy_to(folder: Path) -> Path:
        shutil.copytree(master, folder, dirs_exist_ok=True)
        return folder

    return copy_to


@pytest.fixture(scope="session")
def server(session_home: Path) -> ServerInfo:
    """The session's embedded FalkorDB server."""
    return ensure_server(session_home)


#: Files whose tests lint Cypher: their collection starts the background lint (cypher_lint).
_LINTING_FILES = ("test_catalog.py", "test_cypher_lint.py")


class _Neo4jStart:
    """``tests/neo4j/server start`` running in the background from collection on.

    The JVM's start (20–60 s of CPU) then overlaps other tests instead of sitting on the
    critical path when the first Neo4j test comes.  Its output and exit status go to files
    beside its home, so that a pytest-xdist worker can use a server the controller started
    (:meth:`attach`); only the process that started it stops it.

    The server keeps its query plans for the session (:data:`REPLAN_S`): every test wipes the
    graph and loads a small one, so with Neo4j's own replanning (statistics checked every
    10 s) nearly every test planned its long texts again, seconds each.
    """

    def __init__(self, home: Path, *, launch: bool = True) -> None:
        self.home = home
        self.proc: subprocess.Popen[bytes] | None = None
        if not launch:
            return
        env = {**os.environ, "REDGOV_NEO4J_REPLAN_S": os.environ.get("REDGOV_NEO4J_REPLAN_S",
                                                                     REPLAN_S)}
        home.mkdir(parents=True, exist_ok=True)
        # The status file is written last, so its presence means "out" and "err" are whole.
        script = ('"$0" start "$1" >"$1.out" 2>"$1.err"; '
                  'echo $? >"$1.rc.tmp"; mv "$1.rc.tmp" "$1.rc"')
        self.proc = subprocess.Popen(["sh", "-c", script, str(NEO4J_SERVER), str(home)],
                                     stdin=subprocess.DEVNULL, env=env)

    @classmethod
    def attach(cls, home: Path) -> _Neo4jStart | None:
        """The start another process launched into ``home`` (None if it launched none)."""
        return cls(home, launch=False) if home.is_dir() else None

    def _file(self, suffix: str) -> Path:
        return self.home.with_name(self.home.name + suffix)

    def result(self) -> tuple[int, str, str]:
        if self.proc is not None:
            self.proc.wait()
        while not self._file(".rc").exists():  # another process's start: wait for its status
            time.sleep(0.2)
        code = int(self._file(".rc").read_text().strip() or 1)
        return code, self._file(".out").read_text(), self._file(".err").read_text()

    def stop(self) -> None:
        if self.proc is None:
            return  # the process that started it stops it
        self.proc.wait()  # a start still under way finishes (or fails) first
        subprocess.run([str(NEO4J_SERVER), "stop", str(self.home)], capture_output=True,
                       check=False)
        shutil.rmtree(self.home, ignore_errors=True)
        for suffix in (".out", ".err", ".rc"):
            self._file(suffix).unlink(missing_ok=True)


_early: dict[str, _Neo4jStart] = {}
#: pytest-xdist (``-n 2`` in pyproject.toml): the controller starts Neo4j and the lint once,
#: in this folder, which every worker is handed (``workerinput``); the controller stops them.
_SHARED = "redgov_shared"


def _wants_neo4j(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return ((callspec is not None and callspec.params.get("engine") == "neo4j")
            or "neo4j_engine" in getattr(item, "fixturenames", ()))


def _session_dir(config: pytest.Config, name: str) -> Path:
    """A folder in the session's pytest temp folder (which pytest keeps from other sessions'
    clean-ups while this one runs), else a private temp folder."""
    factory = getattr(config, "_tmp_path_factory", None)
    if isinstance(factory, pytest.TempPathFactory):
        return factory.mktemp(name)
    return Path(tempfile.mkdtemp(prefix=f"redgov-{name}-"))


def _worker_shared(config: pytest.Config) -> Path | None:
    """On a pytest-xdist worker, the folder its controller starts the shared servers in."""
    shared = getattr(config, "workerinput", {}).get(_SHARED)
    return Path(shared) if shared else None


def _start_background(config: pytest.Config, folder: Path | None, *, neo4j: bool,
                      lint: bool) -> None:
    """Start what the session will wait for later, in the background: Neo4j and the lint."""
    if neo4j and "neo4j" not in _early and _neo4j_unavailable() is None:
        home = folder / "neo4j" if folder else _session_dir(config, "neo4j")
        _early["neo4j"] = _Neo4jStart(home)
    if lint:
        place = folder / "lint" if folder else _session_dir(config, "lint")
        place.mkdir(parents=True, exist_ok=True)
        cypher_lint.start_prefetch(place)


def _groups_file(shared: Path, worker: str) -> Path:
    return shared / f"groups-{worker}.json"


@pytest.hookimpl(trylast=True)  # after pytest's own ordering (by the engine parameter)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, which worker runs what, and in what order.

    Groups: every Neo4j test on one worker (the session's one Neo4j database, emptied per
    test, cannot serve two tests at once), the lint files together (they share one
    background lint), and every other file whole (its module fixtures, a synced district
    among them, are built once).  Order: the Neo4j group first, so that it starts at once
    on one worker while the other takes the files, biggest first; the lint group last, when
    the background lint has its verdicts ready instead of holding a worker waiting.

    The worker writes each test's group to the shared folder before it reports its
    collection; the controller's scheduler (:func:`pytest_xdist_make_scheduler`) reads it.
    (xdist's own ``loadgroup`` renames ``item._nodeid``, which pytest 9.2 no longer reads.)
    """
    shared = _worker_shared(config)
    if shared is None:
        return
    groups = {item.nodeid: "neo4j" if _wants_neo4j(item)
              else "lint" if item.path.name in _LINTING_FILES
              else item.nodeid.split("::", 1)[0] for item in items}
    sizes = collections.Counter(groups.values())
    rank = {name: (0 if name == "neo4j" else 2 if name == "lint" else 1, -size)
            for name, size in sizes.items()}
    items.sort(key=lambda item: rank[groups[item.nodeid]])  # stable: each group keeps its order
    target = _groups_file(shared, config.workerinput["workerid"])  # type: ignore[attr-defined]
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(groups), encoding="utf-8")
    tmp.rename(target)


def _read_groups(shared: Path) -> dict[str, str]:
    """The groups the first worker to collect wrote (every worker collects the same tests,
    which xdist checks before it schedules any)."""
    for path in sorted(shared.glob("groups-*.json")):
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Controller: xdist's scope scheduling over the groups above, in the workers' order;
    a worker that runs out takes the next group, so the first to finish takes what is
    left."""
    from xdist.scheduler import LoadScopeScheduling

    shared: Path = config._redgov_shared  # type: ignore[attr-defined]
    config.option.loadscopereorder = False  # the workers' order above, not by size

    class GroupScheduling(LoadScopeScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                self.groups = _read_groups(shared)
            return self.groups.get(nodeid) or nodeid.split("::", 1)[0]

    return GroupScheduling(config, log)  # type: ignore[arg-type]


def _whole_suite(config: pytest.Config) -> bool:
    """The README's test command (no paths, ``-k`` or ``-m``): it runs the Neo4j half."""
    return (config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not config.option.keyword and not config.option.markexpr
            and not config.option.collectonly)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """Controller: hand each worker the folder of the shared servers.

    For the whole suite, Neo4j starts here, while the workers import and collect (≈ 12 s
    here, which the Neo4j half's first test otherwise waits for on top of Neo4j's start):
    that worker runs the Neo4j half, which is the suite's longest chain.
    """
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    if not hasattr(config, "_redgov_shared"):
        config._redgov_shared = _session_dir(config, "shared")  # type: ignore[attr-defined]
        if _whole_suite(config):
            _start_background(config, config._redgov_shared,  # type: ignore[attr-defined]
                              neo4j=True, lint=False)
    node.workerinput[_SHARED] = str(config._redgov_shared)  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    """Controller: once the first worker has collected (before any test is handed out),
    start Neo4j if a test is grouped on it and the lint if a lint test was collected (the
    groups that worker wrote, not ``ids``: one classification, in the worker)."""
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    if getattr(config, "_redgov_started", False) or config.option.collectonly:
        return
    config._redgov_started = True  # type: ignore[attr-defined]
    shared: Path = config._redgov_shared  # type: ignore[attr-defined]
    groups = set(_read_groups(shared).values())
    _start_background(config, shared, neo4j="neo4j" in groups, lint="lint" in groups)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Without xdist, start the background work here; a worker attaches to its
    controller's instead."""
    items = session.items
    if session.config.option.collectonly:
        return
    shared = _worker_shared(session.config)
    if shared is not None:
        cypher_lint.attach_prefetch(shared / "lint")
        return
    _start_background(session.config, None,
                      neo4j=any(_wants_neo4j(i) for i in items),
                      lint=any(i.path.name in _LINTING_FILES for i in items))


def pytest_sessionfinish(session: pytest.Session) -> None:
    cypher_lint.stop_prefetch()
    if "neo4j" in _early:  # never asked for (e.g. -x stopped first): stopped all the same
        _early.pop("neo4j").stop()


@pytest.fixture(scope="session")
def neo4j_server(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """A real Neo4j 5.26 for the session (started once, stopped at the end)."""
    why = _neo4j_unavailable()
    if why:
        if _neo4j_required():
            pytest.fail(f"REDGOV_REQUIRE_NEO4J=1 but the Neo4j half cannot run: {why}",
                        pytrace=False)
        pytest.skip(f"Neo4j half skipped: {why}; REDGOV_REQUIRE_NEO4J=1 makes this a failure")
    shared = _worker_shared(request.config)
    start = (_early.pop("neo4j", None)
             or (_Neo4jStart.attach(shared / "neo4j") if shared else None)
             or _Neo4jStart(tmp_path_factory.mktemp("neo4j")))
    code, out, err = start.result()
    try:
        if code != 0:
            pytest.fail(f"tests/neo4j/server start failed:\n{err[-4000:]}", pytrace=False)
        url = out.strip().splitlines()[-1]
        yield Neo4jServer(url=url, password=(start.home / "password").read_text().strip(),
                          home=start.home)
    finally:
        start.stop()


@pytest.fixture(scope="session")
def falkor_engine(server: ServerInfo, session_home: Path) -> EngineUnderTest:
    """FalkorDB only: its internals, the browser end-to-end, one side of the differential."""
    return EngineUnderTest("falkordb", session_home, falkor=server)


@pytest.fixture(scope="session")
def neo4j_engine(neo4j_server: Neo4jServer, session_home: Path) -> EngineUnderTest:
    """The session's Neo4j (one instance, so every user shares its one-database lease)."""
    return EngineUnderTest("neo4j", session_home, neo4j=neo4j_server)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> EngineUnderTest:
    """The engine under test; parametrised, so every dependent test runs on both."""
    return request.getfixturevalue(f"{'neo4j' if request.param == 'neo4j' else 'falkor'}_engine")


@pytest.fixture
def graph_name(engine: EngineUnderTest, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty graph with the schema set up, on the engine under test."""
    with engine.fresh_graph(request.node.nodeid) as graph:
        yield graph


@pytest.fixture
def store(engine: EngineUnderTest, graph_name: str) -> Iterator[Store]:
    """A store on the test's fresh graph."""
    s = engine.open(graph_name)
    yield s
    s.close()


@pytest.fixture
def redgov_env(engine: EngineUnderTest, graph_name: str,
               monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running the CLI against the test's graph (also set in os.environ)."""
    for key, value in engine.env(graph_name).items():
        monkeypatch.setenv(key, value)
    return {**os.environ}


@pytest.fixture
def falkor_graph_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def falkor_store(server: ServerInfo, falkor_graph_name: str) -> Iterator[FalkorStore]:
    """FalkorDB only: for tests of its internals (embedded server, graph swap, planner)."""
    s = FalkorStore(
        host=server.host, port=server.port, password=server.password, graph=falkor_graph_name,
        description=f"test graph {falkor_graph_name}",
    )
    s.setup_schema()
    yield s
    for name in (falkor_graph_name, f"{falkor_graph_name}__staging",
                 f"{falkor_graph_name}__old"):
        if s._graph_exists(name):
            s._redis.execute_command("GRAPH.DELETE", name)
    s.close()

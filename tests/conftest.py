"""Shared fixtures: the tiny hand-labelled Indonesian corpus, and a real store built from it once per session.

Tiers: a test that loads the real encoder (``e5_encoder``, and so every store, matcher and live-server fixture,
which all depend on it) or drives a browser is marked ``slow`` here, at collection; tests that run the CLI in a
subprocess are marked by hand. ``make test-fast`` runs ``pytest -m "not slow"``; ``make test`` runs them all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.paths import FIXTURES

from matcher.config import Settings
from matcher.engine.encoders import E5Encoder

# Fixtures that make every test using them (directly or through another fixture) slow.
SLOW_FIXTURES = {"e5_encoder", "browser"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _the_fast_tier_never_loads_the_encoder(request):
    """When slow tests are deselected (``-m "not slow"``), loading the real encoder in this process fails, even
    from a module fixture: a test that needs it and escaped the marking above shows up instead of slowing the tier."""
    if "not slow" not in (request.config.getoption("markexpr") or ""):
        yield
        return

    def refuse(*_args, **_kwargs):
        raise AssertionError("the fast tier loaded the real encoder: use the e5_encoder fixture, or mark the test slow")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(E5Encoder, "__init__", refuse)
        yield


@pytest.fixture(scope="session")
def e5_encoder() -> E5Encoder:
    return E5Encoder()


@pytest.fixture(scope="session")
def regions():
    from matcher.data.regions import Regions

    return Regions.load()


@pytest.fixture(scope="session")
def mini(regions):
    from matcher.data.loaders import load_gaps, load_innovations, load_qrels

    return (
        load_innovations(FIXTURES / "mini_innovations.jsonl", regions),
        load_gaps(FIXTURES / "mini_gaps.jsonl", regions),
        load_qrels(FIXTURES / "mini_qrels.tsv"),
    )


@pytest.fixture(scope="session")
def _mini_home(tmp_path_factory, e5_encoder, regions, mini) -> Path:
    from matcher.facade import Matcher

    home = tmp_path_factory.mktemp("mini-home")
    Matcher(Settings(home=home), encoder=e5_encoder, regions=regions).index(mini[0], mini[1])
    return home


@pytest.fixture
def mini_matcher(_mini_home, tmp_path, e5_encoder, regions):
    """A Matcher on a private copy of the indexed mini corpus (tests may write to it)."""
    from matcher.facade import Matcher

    home = tmp_path / "home"
    shutil.copytree(_mini_home, home)
    return Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)


@pytest.fixture(scope="session")
def _batch_home(tmp_path_factory, e5_encoder, regions, mini) -> Path:
    """The mini innovations plus a hostile one (formula and HTML in its title), and gaps for all six regencies
    of Gorontalo (75), indexed once: what the batch, plan and report tests run on."""
    from matcher.data.loaders import load_gaps, load_innovations
    from matcher.facade import Matcher

    home = tmp_path_factory.mktemp("batch-home")
    innovations = [*mini[0], *load_innovations(FIXTURES / "evil_innovations.jsonl", regions)]
    gaps = load_gaps(FIXTURES / "batch_gaps.jsonl", regions)
    Matcher(Settings(home=home), encoder=e5_encoder, regions=regions).index(innovations, gaps)
    return home


@pytest.fixture
def batch_matcher(_batch_home, tmp_path, e5_encoder, regions):
    """A Matcher on a private copy of the batch store (tests may add shortlist decisions or gaps)."""
    from matcher.facade import Matcher

    home = tmp_path / "batch-home"
    shutil.copytree(_batch_home, home)
    return Matcher(Settings(home=home), encoder=e5_encoder, regions=regions)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright, one per test module (the page tests share it)."""
    from helpers.browser import ARGS, CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()

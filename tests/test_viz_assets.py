"""The visualizer's front-end files ship with the package, in the versions solara asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lead_sim.errors import LeadSimError
from lead_sim.viz import assets


def pinned_by_solara() -> set[str]:
    """Every ``package@version`` the installed solara puts in its pages' CDN addresses."""
    import solara

    root = Path(solara.__file__).parent
    sources = [root / "server" / "templates" / "solara.html.j2",
               root / "components" / "markdown.py", root / "server" / "settings.py"]
    text = "\n".join(p.read_text() for p in sources)
    found = set(re.findall(r"(?:cdn}}|getCdn\(\)}|_path: str = \")/((?:@[\w-]+/)?[\w.-]+@"
                           r"\d[\w.-]*)/", text))
    assert found, "no CDN address found in solara's sources: has the page template moved?"
    # the Vuetify 3 app is for ipyvue 3, which pyproject.toml excludes (ipyvue<2)
    return {name for name in found if "vuetify3" not in name}


def test_every_package_solara_pins_is_shipped():
    shipped = {p.relative_to(assets.PACKAGED).as_posix().rsplit("/package.json")[0]
               for p in assets.PACKAGED.rglob("package.json")}
    assert pinned_by_solara() <= shipped, (
        "solara asks for front-end files the package does not ship; refresh them "
        "(scripts/vendor_viz_assets.py)")


def test_the_packaged_files_are_complete_and_served():
    assert assets.missing(assets.PACKAGED) == []
    assert assets.serving_dir(Path("/nonexistent")) == assets.PACKAGED


def test_missing_files_are_refused_with_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "PACKAGED", tmp_path / "packaged")
    with pytest.raises(LeadSimError, match=r"page would stay blank.*reinstall it"):
        assets.serving_dir(tmp_path / "cache")
    for name in assets.PAGE_FILES:  # a complete cache of Solara's own is used instead
        (tmp_path / "cache" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cache" / name).write_text("x")
    assert assets.serving_dir(tmp_path / "cache") == tmp_path / "cache"
